using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ObjectLog.Extensions.Logging;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using ObjectLog.Tests.Log;
using Serilog.Sinks.ObjectLog;
using static ObjectLog.Tests.Extensions.ExtensionFixtures;

namespace ObjectLog.Tests.Extensions;

/// <summary>
/// The journal the ILogger provider and the Serilog sink share: one set of defaults, one rule and one message per
/// setting (the core's), and the journal's own promises on a log it is given.
/// </summary>
public sealed class LogJournalTests
{
    public static TheoryData<string> Owners => ["journal", "logger", "sink"];

    private static LogJournalOptions New(string owner) => owner switch
    {
        "logger" => new ObjectLogLoggerOptions(),
        "sink" => new ObjectLogSinkOptions(),
        _ => new LogJournalOptions(),
    };

    [Theory]
    [MemberData(nameof(Owners))]
    public void The_logger_and_the_sink_have_the_journal_defaults(string owner)
    {
        LogJournalOptions options = New(owner);
        Assert.Equal(256, options.FlushThreshold);
        Assert.Equal(TimeSpan.FromSeconds(1), options.FlushInterval);
        Assert.Equal(64L * 1024 * 1024, options.MaxBufferedBytes);
        Assert.Equal(TimeSpan.FromSeconds(30), options.DisposeTimeout);
        Assert.Equal(new AppendLogOptions().Compression, options.Compression);
        Assert.Equal(LogCompression.Zstd, options.Compression);
    }

    [Theory]
    [MemberData(nameof(Owners))]
    public void A_bad_value_gets_the_same_error_as_from_the_core_options(string owner)
    {
        LogJournalOptions options = New(owner);
        var core = new AppendLogOptions();
        AssertSameError(() => core.FlushInterval = TimeSpan.Zero, () => options.FlushInterval = TimeSpan.Zero);
        AssertSameError(() => core.FlushInterval = TimeSpan.FromSeconds(-1), () => options.FlushInterval = TimeSpan.FromSeconds(-1));
        AssertSameError(() => core.MaxBufferedBytes = 0, () => options.MaxBufferedBytes = 0);
        AssertSameError(() => core.Compression = (LogCompression)7, () => options.Compression = (LogCompression)7);
        Assert.Equal(LogCompression.Zstd, options.Compression); // a refused value changes nothing

        // The dispose timeout has the flush interval's rule: positive or infinite.
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => options.DisposeTimeout = TimeSpan.Zero);
        Assert.Equal("The dispose timeout must be positive or Timeout.InfiniteTimeSpan. (Parameter 'value')" + Environment.NewLine + "Actual value was 00:00:00.", zero.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.DisposeTimeout = TimeSpan.FromSeconds(-1));
        Assert.Equal(new LogJournalOptions().DisposeTimeout, options.DisposeTimeout); // a refused value changes nothing
    }

    [Theory]
    [MemberData(nameof(Owners))]
    public void What_the_core_accepts_the_journal_accepts_alike(string owner)
    {
        LogJournalOptions options = New(owner);
        var core = new AppendLogOptions();

        core.FlushThreshold = options.FlushThreshold = 0; // below 1 means 1, as in the core
        Assert.Equal(1, core.FlushThreshold);
        Assert.Equal(1, options.FlushThreshold);
        options.FlushThreshold = -5;
        Assert.Equal(1, options.FlushThreshold);

        core.FlushInterval = options.FlushInterval = Timeout.InfiniteTimeSpan; // the timer off
        Assert.Equal(Timeout.InfiniteTimeSpan, options.FlushInterval);
        options.DisposeTimeout = Timeout.InfiniteTimeSpan;
        Assert.Equal(Timeout.InfiniteTimeSpan, options.DisposeTimeout);
    }

    [Theory]
    [MemberData(nameof(Owners))]
    public void The_compression_set_is_the_one_the_journals_log_gets(string owner)
    {
        LogJournalOptions options = New(owner);
        foreach (LogCompression compression in new[] { LogCompression.None, LogCompression.Gzip, LogCompression.Zstd })
        {
            options.Compression = compression;
            Assert.Equal(compression, options.ToAppendLogOptions(null).Compression);
        }
    }

    [Fact]
    public async Task A_journal_given_a_log_checks_its_dispose_timeout_by_the_options_rule()
    {
        await using var log = new AppendLog(new InMemoryObjectStore(), "x");
        var fromOptions = Assert.Throws<ArgumentOutOfRangeException>(() => new LogJournalOptions().DisposeTimeout = TimeSpan.Zero);
        var fromJournal = Assert.Throws<ArgumentOutOfRangeException>(() => new LogJournal(log, TimeSpan.Zero));
        Assert.Equal(fromOptions.Message.Replace("'value'", "'disposeTimeout'", StringComparison.Ordinal), fromJournal.Message);
    }

    [Fact]
    public async Task The_journal_settings_bind_from_logging_configuration()
    {
        HostApplicationBuilder builder = HostWith(new()
        {
            ["Logging:ObjectLog:StoreUrl"] = NewMemoryUrl("bound"),
            ["Logging:ObjectLog:FlushThreshold"] = "7",
            ["Logging:ObjectLog:FlushInterval"] = "00:00:05",
            ["Logging:ObjectLog:MaxBufferedBytes"] = "1000",
            ["Logging:ObjectLog:DisposeTimeout"] = "00:00:02",
            ["Logging:ObjectLog:Compression"] = "gzip", // enum names in any case
        });
        builder.Logging.AddObjectLog();
        using IHost host = builder.Build();
        ObjectLogLoggerOptions options = host.Services.GetRequiredService<IOptions<ObjectLogLoggerOptions>>().Value;
        Assert.Equal(7, options.FlushThreshold);
        Assert.Equal(TimeSpan.FromSeconds(5), options.FlushInterval);
        Assert.Equal(1000, options.MaxBufferedBytes);
        Assert.Equal(TimeSpan.FromSeconds(2), options.DisposeTimeout);
        Assert.Equal(LogCompression.Gzip, options.Compression);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("Brotli", "Logging:ObjectLog: Failed to convert configuration value 'Brotli' at 'Compression'")] // not a name: the section and the key
    [InlineData("7", "Compression must be None, Gzip or Zstd.")] // a number that is no member: the setter's rule
    public void A_bad_compression_in_logging_configuration_names_the_setting(string value, string message)
    {
        HostApplicationBuilder builder = HostWith(new()
        {
            ["Logging:ObjectLog:StoreUrl"] = NewMemoryUrl("bad-compression"),
            ["Logging:ObjectLog:Compression"] = value,
        });
        builder.Logging.AddObjectLog();
        Exception e = Assert.ThrowsAny<Exception>(() =>
        {
            using IHost host = builder.Build(); // the provider, and so its options, may be made here already
            _ = host.Services.GetRequiredService<IOptions<ObjectLogLoggerOptions>>().Value;
        });
        Assert.True(e is InvalidOperationException or ArgumentOutOfRangeException, e.ToString());
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_journal_given_a_log_drops_when_full_counts_reports_once_and_disposes_within_its_timeout()
    {
        var held = new FaultInjectingObjectStore(new InMemoryObjectStore());
        held.HoldPuts();
        string prefix = "journal-" + Guid.NewGuid().ToString("N")[..8];
        using var metrics = new MetricTotals(prefix + "/");
        var reports = new ConcurrentQueue<string>();
        var log = new AppendLog(held, prefix, new AppendLogOptions { FlushThreshold = 1, MaxBufferedBytes = 4096, FlushInterval = Timeout.InfiniteTimeSpan });
        var journal = new LogJournal(log, TimeSpan.FromMilliseconds(300), reports.Enqueue);
        Assert.Same(log, journal.Log);

        int taken = 0;
        for (int i = 0; i < 1000; i++)
        {
            taken += journal.TryWrite("""{"entry":"while the store does not answer"}"""u8) ? 1 : 0;
        }

        Assert.InRange(taken, 1, 999);
        Assert.False(journal.TryWrite("two\nlines"u8)); // refused by the log: dropped like one that does not fit
        Assert.Equal(1000 - taken + 1, metrics["objectlog.logger.dropped"]);
        string dropped = Assert.Single(reports);
        Assert.Contains("objectlog.logger.dropped", dropped, StringComparison.Ordinal);
        Assert.Contains(prefix, dropped, StringComparison.Ordinal);

        var clock = Stopwatch.StartNew();
        await journal.DisposeAsync();
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
        Assert.Equal(2, reports.Count);
        Assert.Matches(@"\d+ entries \(\d+ bytes\) were not stored within 00:00:00.3000000 at shutdown\.$", reports.Last());

        Assert.False(journal.TryWrite("late"u8)); // closed: not taken, not counted
        Assert.Equal(1000 - taken + 1, metrics["objectlog.logger.dropped"]);
        held.ReleasePuts();
    }

    private static void AssertSameError(Action core, Action journal)
    {
        var expected = Assert.Throws<ArgumentOutOfRangeException>(core);
        var actual = Assert.Throws<ArgumentOutOfRangeException>(journal);
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(expected.ParamName, actual.ParamName);
    }
}
