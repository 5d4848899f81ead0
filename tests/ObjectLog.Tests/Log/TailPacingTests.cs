using Microsoft.Extensions.Time.Testing;
using ObjectLog.Internal;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>How long a tail waits between polls: the lower bound while events flow, backing off to the idle bound, on a fake clock.</summary>
public sealed class TailPacingTests
{
    private static readonly TimeSpan Active = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);

    /// <summary>The fake store lists in no particular order, so each poll also lists the trim records; over S3 or Azure, which list in key order, a poll is one LIST.</summary>
    private const int ListsPerPoll = 2;

    [Fact]
    public void The_pace_starts_idle_holds_the_lower_bound_for_a_second_after_events_then_doubles_back_to_the_idle_bound()
    {
        var clock = new FakeTimeProvider();
        using var pacer = new TailPacer(new AppendLogOptions { TimeProvider = clock }, arrivals: null);

        Assert.Equal(Idle, pacer.Next(polledEvents: false));
        Assert.Equal(Idle, pacer.Next(polledEvents: false));
        Assert.Equal(Active, pacer.Next(polledEvents: true));
        for (int i = 0; i < 19; i++)
        {
            clock.Advance(Active);
            Assert.Equal(Active, pacer.Next(polledEvents: false)); // 950 ms after the last events
        }

        clock.Advance(Active);
        var backOff = new List<TimeSpan>();
        for (int i = 0; i < 7; i++)
        {
            backOff.Add(pacer.Next(polledEvents: false));
            clock.Advance(backOff[^1]);
        }

        Assert.Equal([100, 200, 400, 800, 1000, 1000, 1000], backOff.Select(w => w.TotalMilliseconds));
        Assert.Equal(Active, pacer.Next(polledEvents: true));
    }

    [Fact]
    public void An_active_interval_above_the_idle_one_acts_as_the_idle_one()
    {
        var options = new AppendLogOptions { TimeProvider = new FakeTimeProvider(), TailPollInterval = TimeSpan.FromMilliseconds(20) };
        using var pacer = new TailPacer(options, arrivals: null);
        Assert.Equal(TimeSpan.FromMilliseconds(20), pacer.Next(polledEvents: true));
        Assert.Equal(TimeSpan.FromMilliseconds(20), pacer.Next(polledEvents: false));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void The_active_interval_must_be_positive(int milliseconds)
    {
        var options = new AppendLogOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.TailActivePollInterval = TimeSpan.FromMilliseconds(milliseconds));
        Assert.Equal(Active, options.TailActivePollInterval);
    }

    [Fact]
    public async Task An_idle_tail_lists_at_most_once_a_second()
    {
        var clock = new TimerRecordingClock(DateTimeOffset.UtcNow);
        var store = new FaultInjectingObjectStore(new InMemoryObjectStore());
        AppendLogOptions options = Quiet();
        (options.TimeProvider, options.StoreTimeProvider) = (clock, clock);
        await using var log = new AppendLog(store, "idle", options);
        using var stop = new CancellationTokenSource();
        IAsyncEnumerator<LogEvent> tail = log.TailAsync(cancellationToken: stop.Token).GetAsyncEnumerator(); // disposed once stopped: a pending step cannot be
        Task<bool> next = tail.MoveNextAsync().AsTask();

        TimeSpan elapsed = TimeSpan.Zero;
        for (int poll = 0; poll < 30; poll++)
        {
            TimeSpan wait = await clock.NextTimerAsync();
            Assert.Equal(Idle, wait);
            clock.Advance(wait);
            elapsed += wait;
        }

        await clock.NextTimerAsync(); // the 31st poll is over
        Assert.False(next.IsCompleted);
        Assert.Equal(31 * ListsPerPoll, store.ListPages); // the first poll, then one a second
        Assert.True(store.ListPages / ListsPerPoll <= elapsed.TotalSeconds + 1, $"{store.ListPages / ListsPerPoll} polls in {elapsed.TotalSeconds} s");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
        await tail.DisposeAsync();
    }

    [Fact]
    public async Task A_busy_tail_in_another_process_polls_at_the_lower_bound_and_backs_off_once_events_stop()
    {
        var clock = new TimerRecordingClock(DateTimeOffset.UtcNow);
        var memory = new InMemoryObjectStore();
        var tailStore = new FaultInjectingObjectStore(memory); // another object than the writer's: no word of its batches reaches the tail
        AppendLogOptions options = Quiet();
        (options.TimeProvider, options.StoreTimeProvider) = (clock, clock);
        await using var writer = new AppendLog(memory, "busy", Quiet(threshold: 1));
        await using var log = new AppendLog(tailStore, "busy", options);
        using var stop = new CancellationTokenSource();
        IAsyncEnumerator<LogEvent> tail = log.TailAsync(cancellationToken: stop.Token).GetAsyncEnumerator(); // disposed once stopped: a pending step cannot be
        Task<bool> next = tail.MoveNextAsync().AsTask();
        Assert.Equal(Idle, await clock.NextTimerAsync()); // the first poll found nothing

        // Events in every poll: each wait is the lower bound.
        for (int i = 0; i < 5; i++)
        {
            await writer.AppendAsync(E($"event {i}"));
            clock.Advance(i == 0 ? Idle : Active);
            Assert.True(await next);
            Assert.Equal($"event {i}", Text(tail.Current));
            next = tail.MoveNextAsync().AsTask();
            Assert.Equal(Active, await clock.NextTimerAsync());
        }

        // Then none: the lower bound for a second after the last, then doubling up to the idle bound.
        int listsBefore = tailStore.ListPages;
        var waits = new List<double>();
        TimeSpan wait = Active;
        for (int poll = 0; poll < 25; poll++)
        {
            clock.Advance(wait);
            wait = await clock.NextTimerAsync();
            waits.Add(wait.TotalMilliseconds);
        }

        Assert.False(next.IsCompleted);
        Assert.Equal(25 * ListsPerPoll, tailStore.ListPages - listsBefore); // every wait above was followed by one poll
        Assert.Equal([.. Enumerable.Repeat(50.0, 19), 100, 200, 400, 800, 1000, 1000], waits);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
        await tail.DisposeAsync();
    }

    private static string Text(LogEvent e) => System.Text.Encoding.UTF8.GetString(e.Data);
}
