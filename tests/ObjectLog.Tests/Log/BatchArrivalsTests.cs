using ObjectLog.Internal;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>In-process word of stored batches: who hears it, and tails woken by it before their poll is due.</summary>
public sealed class BatchArrivalsTests
{
    [Fact]
    public void A_listener_hears_batches_announced_under_its_store_object_and_prefix_once_each_until_it_marks_them_seen()
    {
        var store = new InMemoryObjectStore();
        using BatchArrivals.Listener listener = BatchArrivals.Listen(store, "a/");
        Task arrival = listener.Arrival();
        Assert.False(arrival.IsCompleted);

        BatchArrivals.Announce(store, "b/");
        BatchArrivals.Announce(new InMemoryObjectStore(), "a/");
        Assert.False(arrival.IsCompleted);

        BatchArrivals.Announce(new MeteredObjectStore(store, default), "a/"); // a log's metering wrapper stands for the store it wraps
        Assert.True(arrival.IsCompletedSuccessfully);
        Assert.True(listener.Arrival().IsCompleted); // heard, not yet seen

        listener.MarkSeen();
        Assert.False(listener.Arrival().IsCompleted);
    }

    [Fact]
    public void A_prefix_is_forgotten_when_its_last_listener_is_disposed()
    {
        var store = new InMemoryObjectStore();
        BatchArrivals.Listener first = BatchArrivals.Listen(store, "p/");
        BatchArrivals.Listener second = BatchArrivals.Listen(store, "p/");
        first.Dispose();
        first.Dispose(); // twice is once
        Assert.True(BatchArrivals.IsListening(store, "p/"));
        second.Dispose();
        Assert.False(BatchArrivals.IsListening(store, "p/"));
    }

    [Fact]
    public async Task A_tail_over_the_writers_store_object_returns_a_stored_batch_without_waiting_for_its_poll()
    {
        var clock = new TimerRecordingClock(DateTimeOffset.UtcNow);
        var store = new InMemoryObjectStore();
        AppendLogOptions options = Quiet();
        (options.TimeProvider, options.StoreTimeProvider) = (clock, clock);
        await using var writer = new AppendLog(store, "woken", Quiet(threshold: 1));
        await using var log = new AppendLog(store, "woken", options);
        await using (IAsyncEnumerator<LogEvent> tail = log.TailAsync().GetAsyncEnumerator())
        {
            Task<bool> next = tail.MoveNextAsync().AsTask();
            Assert.Equal(TimeSpan.FromSeconds(1), await clock.NextTimerAsync()); // waiting for its next poll, a fake second away
            Assert.True(BatchArrivals.IsListening(store, log.KeyPrefix));

            await writer.AppendAsync(E("first"));
            Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(10))); // the fake clock never moved
            Assert.Equal(["first"], Texts([tail.Current.Data]));
        }

        Assert.False(BatchArrivals.IsListening(store, log.KeyPrefix)); // the tail ended: nothing is left behind
    }

    [Fact]
    public async Task A_tail_over_another_store_object_waits_for_its_poll()
    {
        var clock = new TimerRecordingClock(DateTimeOffset.UtcNow);
        var memory = new InMemoryObjectStore();
        AppendLogOptions options = Quiet();
        (options.TimeProvider, options.StoreTimeProvider) = (clock, clock);
        await using var writer = new AppendLog(memory, "apart", Quiet(threshold: 1));
        await using var log = new AppendLog(new FaultInjectingObjectStore(memory), "apart", options); // as a tail in another process would
        await using IAsyncEnumerator<LogEvent> tail = log.TailAsync().GetAsyncEnumerator();
        Task<bool> next = tail.MoveNextAsync().AsTask();
        TimeSpan wait = await clock.NextTimerAsync();

        await writer.AppendAsync(E("first"));
        await Task.Delay(100); // no signal can show that nothing happens: a woken tail would have listed by now
        Assert.False(next.IsCompleted);
        Assert.False(clock.HasUntakenTimer);

        clock.Advance(wait);
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(["first"], Texts([tail.Current.Data]));
    }
}
