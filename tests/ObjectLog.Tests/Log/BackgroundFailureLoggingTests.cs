using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

public sealed class BackgroundFailureLoggingTests
{
    [Fact]
    public async Task A_failed_background_put_is_logged_with_its_cause_and_the_batch_key()
    {
        var loggers = new CapturingLoggerFactory();
        var store = new FaultInjectingObjectStore(new InMemoryObjectStore());
        store.FailWhen((call, _) => call == StoreCall.Put ? Fault.FailBefore : null);
        await using var log = new AppendLog(store, "journal", new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, LoggerFactory = loggers });

        Assert.True(log.TryAppend(E("e0"))); // fills the batch: stored in the background, where nobody awaits it
        CapturedEntry entry = await WaitForAsync(loggers);

        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("ObjectLog.AppendLog", entry.Category);
        Assert.IsType<InjectedFaultException>(entry.Exception);
        Assert.Contains("journal/batch_", entry.Message, StringComparison.Ordinal);
        Assert.Contains("retried", entry.Message, StringComparison.Ordinal);

        store.FailWhen(null);
        await log.FlushAsync();
        Assert.Equal(["e0"], Texts(await log.ReadAllAsync()));
    }

    [Fact]
    public async Task A_failed_background_compaction_is_logged_with_its_cause()
    {
        var clock = new FakeTimeProvider();
        var loggers = new CapturingLoggerFactory();
        var store = new FaultInjectingObjectStore(new InMemoryObjectStore(clock));
        var options = new AppendLogOptions
        {
            FlushThreshold = 1,
            FlushInterval = Timeout.InfiniteTimeSpan,
            TimeProvider = clock,
            AutoCompaction = CompactionPolicy.All,
            AutoCompactionInterval = TimeSpan.FromMinutes(1),
            LoggerFactory = loggers,
        };
        await using var log = new AppendLog(store, "auto", options);
        await log.AppendAsync(E("e0"));
        await log.AppendAsync(E("e1"));
        store.FailWhen((call, _) => call == StoreCall.List ? Fault.FailBefore : null);

        clock.Advance(TimeSpan.FromMinutes(1));
        CapturedEntry entry = await WaitForAsync(loggers);

        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.IsType<InjectedFaultException>(entry.Exception);
        Assert.Contains("compaction of log 'auto/'", entry.Message, StringComparison.Ordinal);
        store.FailWhen(null);
    }

    [Fact]
    public void The_logger_factory_cannot_be_null()
        => Assert.Throws<ArgumentNullException>(() => new AppendLogOptions { LoggerFactory = null! });

    private static async Task<CapturedEntry> WaitForAsync(CapturingLoggerFactory loggers)
    {
        for (int i = 0; i < 500 && loggers.Entries.IsEmpty; i++)
        {
            await Task.Delay(10);
        }

        return Assert.Single(loggers.Entries.Take(1));
    }
}
