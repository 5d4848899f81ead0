using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace ObjectLog.Tests.Fakes;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that hands each timer's due time to the test as the timer is created, so a test
/// can wait until the code under it has started waiting, see how long it chose to wait, and move time by exactly that.
/// </summary>
public sealed class TimerRecordingClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Channel<TimeSpan> _dueTimes = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = base.CreateTimer(callback, state, dueTime, period);
        _dueTimes.Writer.TryWrite(dueTime); // after it is armed: the test may advance the clock the moment it hears
        return timer;
    }

    /// <summary>The due time of the next timer created (one created earlier and not yet taken comes first); fails after 10 real seconds.</summary>
    public async Task<TimeSpan> NextTimerAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _dueTimes.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Whether a timer was created that <see cref="NextTimerAsync"/> has not taken.</summary>
    public bool HasUntakenTimer => _dueTimes.Reader.Count > 0;
}
