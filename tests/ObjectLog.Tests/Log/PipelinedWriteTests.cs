using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>Batches in flight concurrently (<see cref="AppendLogOptions.MaxConcurrentPuts"/>), joining of queued batches, and <see cref="AppendLog.TryAppend"/>.</summary>
public sealed class PipelinedWriteTests
{
    private readonly InMemoryObjectStore _memory = new();
    private readonly FaultInjectingObjectStore _store;

    public PipelinedWriteTests() => _store = new FaultInjectingObjectStore(_memory);

    private static AppendLogOptions Pipelined(int threshold, int puts) => new() { FlushThreshold = threshold, MaxConcurrentPuts = puts, FlushInterval = Timeout.InfiniteTimeSpan };

    [Fact]
    public async Task Puts_run_concurrently_up_to_MaxConcurrentPuts_and_a_flush_waits_for_all()
    {
        await using var log = new AppendLog(_store, "wide", Pipelined(threshold: 1, puts: 4));
        _store.HoldPuts();
        string[] appended = Enumerable.Range(0, 4).Select(i => Json(0, i)).ToArray();
        foreach (string e in appended)
        {
            Assert.True(log.TryAppend(E(e)));
        }

        await WaitUntil(() => _store.PutsInFlight == 4);
        Task flush = log.FlushAsync();
        await Task.Delay(50);
        Assert.False(flush.IsCompleted);
        _store.ReleasePuts();
        await flush;
        Assert.Equal(4, _store.MaxConcurrentPuts);
        Assert.Equal(4, _store.Puts);
        Assert.Equal(appended, Texts(await new AppendLog(_memory, "wide", Quiet()).ReadAllAsync()));
    }

    [Fact]
    public async Task One_put_at_a_time_when_MaxConcurrentPuts_is_one()
    {
        var options = Pipelined(threshold: 2, puts: 1);
        options.MaxBufferedBytes = 1; // every append waits for room: each batch is stored on its own
        await using var log = new AppendLog(_store, "serial", options);
        for (int i = 0; i < 40; i++)
        {
            await log.AppendAsync(E(Json(0, i)));
        }

        await log.FlushAsync();
        Assert.Equal(1, _store.MaxConcurrentPuts);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => Json(0, i)), Texts(await new AppendLog(_memory, "serial", Quiet()).ReadAllAsync()));
    }

    [Fact]
    public async Task Batches_queued_behind_busy_slots_go_as_one_put_under_the_first_ones_name()
    {
        await using var log = new AppendLog(_store, "joined", Pipelined(threshold: 1, puts: 1));
        _store.HoldPuts();
        string[] appended = Enumerable.Range(0, 100).Select(i => Json(0, i)).ToArray();
        Assert.True(log.TryAppend(E(appended[0])));
        await WaitUntil(() => _store.PutsInFlight == 1);
        foreach (string e in appended[1..])
        {
            Assert.True(log.TryAppend(E(e))); // 99 one-event batches, queued
        }

        _store.ReleasePuts();
        await log.FlushAsync();
        Assert.Equal(2, _store.Puts); // the first batch, then the 99 queued ones together
        List<ObjectMeta> stored = await _memory.ListSortedAsync("joined/");
        Assert.Equal(2, stored.Count);
        Assert.Equal(appended, Texts(await new AppendLog(_memory, "joined", Quiet()).ReadAllAsync()));
        List<LogEvent> events = await ReadEventsAsync(new AppendLog(_memory, "joined", Quiet()));
        Assert.Equal(99, events.Count(e => e.Position.Batch == BatchOf(stored[1].Key)));
    }

    [Fact]
    public async Task Joining_stops_at_the_batch_byte_limit()
    {
        var options = Pipelined(threshold: 1, puts: 1);
        options.FlushThresholdBytes = 1000;
        await using var log = new AppendLog(_store, "limit", options);
        _store.HoldPuts();
        Assert.True(log.TryAppend(E(Json(0, 0))));
        await WaitUntil(() => _store.PutsInFlight == 1);
        for (int i = 1; i < 100; i++)
        {
            Assert.True(log.TryAppend(E(Json(0, i))));
        }

        _store.ReleasePuts();
        await log.FlushAsync();
        List<ObjectMeta> stored = await _memory.ListSortedAsync("limit/");
        Assert.All(stored, o => Assert.True(o.Size <= 1000, $"{o.Key} holds {o.Size} bytes"));
        Assert.InRange(stored.Count, 1 + (99 * 50 / 1000), 20); // about 50 bytes an event, 1,000 a PUT
    }

    [Fact]
    public async Task An_append_that_fills_a_batch_completes_when_it_and_every_batch_before_it_are_stored()
    {
        await using var log = new AppendLog(_store, "fill", Pipelined(threshold: 2, puts: 8));
        _store.FailWhen((call, _) => call == StoreCall.Put ? Fault.FailBefore : null);
        Assert.True(log.TryAppend(E("a")));
        Assert.True(log.TryAppend(E("b"))); // its batch fails in the background
        await WaitUntil(() => log.LastStoreFailure is not null && log.BufferedBytes == 4);
        await Task.Delay(20);
        _store.FailWhen(null);
        _store.HoldPuts();
        await log.AppendAsync(E("c"));
        ValueTask filling = log.AppendAsync(E("d")); // needs (a, b), which failed, and (c, d)
        await Task.Delay(50);
        Assert.False(filling.IsCompleted);
        _store.ReleasePuts();
        await filling;
        Assert.Equal(["a", "b", "c", "d"], Texts(await new AppendLog(_memory, "fill", Quiet()).ReadAllAsync()));
    }

    [Fact]
    public async Task TryAppend_never_waits_and_refuses_when_the_buffer_is_full()
    {
        var options = Pipelined(threshold: 4, puts: 2);
        options.MaxBufferedBytes = 1000;
        await using var log = new AppendLog(_store, "full", options);
        _store.HoldPuts(); // a store that never answers
        var accepted = new List<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 200; i++)
        {
            string e = Json(0, i);
            if (log.TryAppend(E(e)))
            {
                accepted.Add(e);
            }
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"TryAppend waited: {clock.Elapsed}");
        Assert.InRange(accepted.Count, 10, 199);
        Assert.InRange(log.BufferedBytes, 1, 1000);
        Assert.Equal(Enumerable.Range(0, accepted.Count).Select(i => Json(0, i)), accepted);

        _store.ReleasePuts();
        await log.FlushAsync();
        Assert.Equal(0, log.BufferedBytes);
        Assert.True(log.TryAppend(E("after")));
        await log.FlushAsync();
        string[] read = Texts(await new AppendLog(_memory, "full", Quiet()).ReadAllAsync());
        Assert.Equal(accepted.Append("after"), read);
    }

    [Fact]
    public async Task A_background_failure_is_counted_kept_and_thrown_by_the_next_flush_and_by_dispose()
    {
        string prefix = $"background-{Guid.NewGuid():N}";
        using var totals = new MetricTotals(prefix + "/");
        var log = new AppendLog(_store, prefix, Pipelined(threshold: 2, puts: 8));
        _store.FailWhen((call, _) => call == StoreCall.Put ? Fault.FailBefore : null);
        Assert.True(log.TryAppend(E("a")));
        Assert.True(log.TryAppend(E("b"))); // fills the batch: stored in the background, and fails
        await WaitUntil(() => totals["objectlog.flush.failures"] >= 1);
        Assert.True(log.TryAppend(E("c")));
        Assert.Equal(["a", "b", "c"], Texts(await log.ReadAllAsync())); // kept

        await Assert.ThrowsAsync<InjectedFaultException>(() => log.FlushAsync()); // retried, failed again: thrown
        await Assert.ThrowsAsync<InjectedFaultException>(async () => await log.DisposeAsync());
        Assert.True(totals["objectlog.flush.failures"] >= 3);

        _store.FailWhen(null);
        await log.DisposeAsync(); // the retry succeeds
        Assert.Equal(["a", "b", "c"], Texts(await new AppendLog(_memory, prefix, Quiet()).ReadAllAsync()));
    }

    [Fact]
    public async Task A_failed_batch_is_retried_once_a_later_put_succeeds()
    {
        string prefix = $"healed-{Guid.NewGuid():N}";
        using var totals = new MetricTotals(prefix + "/");
        await using var log = new AppendLog(_store, prefix, Pipelined(threshold: 1, puts: 8));
        _store.FailWhen((call, _) => call == StoreCall.Put ? Fault.FailBefore : null);
        Assert.True(log.TryAppend(E("a")));
        await WaitUntil(() => totals["objectlog.flush.failures"] >= 1);
        _store.FailWhen(null);
        Assert.True(log.TryAppend(E("b"))); // no flush: its success sends "a" again
        await WaitUntil(() => log.BufferedBytes == 0);
        Assert.Equal(["a", "b"], Texts(await new AppendLog(_memory, prefix, Quiet()).ReadAllAsync()));
    }

    [Fact]
    public async Task TryAppend_validates_like_AppendAsync()
    {
        var log = new AppendLog(_store, "valid", Pipelined(threshold: 2, puts: 2));
        Assert.Throws<ArgumentException>(() => log.TryAppend([]));
        Assert.Throws<ArgumentException>(() => log.TryAppend(E("a\nb")));
        Assert.Throws<ArgumentException>(() => log.TryAppend(new byte[(1024 * 1024) + 1]));
        await log.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => log.TryAppend(E("late")));
        Assert.Equal(0, _store.Calls);
    }

    private static async Task<List<LogEvent>> ReadEventsAsync(AppendLog log)
    {
        var events = new List<LogEvent>();
        await foreach (LogEvent e in log.ReadEventsAsync())
        {
            events.Add(e);
        }

        return events;
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "timed out waiting for the pipeline");
            await Task.Delay(2);
        }
    }
}
