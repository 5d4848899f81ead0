namespace ObjectLog.Tests.Fakes;

/// <summary>
/// A machine's clock: the store's (<paramref name="truth"/>), off by <see cref="Offset"/>, which may change (a clock
/// that jumps). Its monotonic time and timers are the truth's: a skewed wall clock does not make time pass faster.
/// </summary>
public sealed class SkewedClock(TimeProvider truth) : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => truth.GetUtcNow() + Offset;

    public override long GetTimestamp() => truth.GetTimestamp();

    public override long TimestampFrequency => truth.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => truth.CreateTimer(callback, state, dueTime, period);
}
