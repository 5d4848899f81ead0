namespace ObjectLog;

/// <summary>
/// Where a named consumer starts when it has no checkpoint yet, or where a reset moves it: the beginning of the log,
/// its end (only events stored from then on), or a time.
/// </summary>
/// <remarks>
/// The first instance to take a new consumer resolves its start once, on the store's clock, and stores it as the
/// consumer's position, so every later owner continues from the same place whatever its own options say.
/// </remarks>
public sealed class LogConsumerStart
{
    private LogConsumerStart(DateTimeOffset? time, bool isEnd)
    {
        Time = time;
        IsEnd = isEnd;
    }

    /// <summary>Every event in the log, from the first.</summary>
    public static LogConsumerStart Beginning { get; } = new(null, isEnd: false);

    /// <summary>Only the events stored after the start is resolved (by the store's clock).</summary>
    public static LogConsumerStart End { get; } = new(null, isEnd: true);

    /// <summary>The events of batches named at <paramref name="time"/> or later, as <see cref="LogPosition.Before"/> reads them.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="time"/> is not after 1970-01-01T00:00:00.000001Z.</exception>
    public static LogConsumerStart At(DateTimeOffset time)
    {
        _ = LogPosition.Before(time); // the same bounds
        return new LogConsumerStart(time, isEnd: false);
    }

    /// <summary>The time for <see cref="At"/>; <see langword="null"/> for <see cref="Beginning"/> and <see cref="End"/>.</summary>
    public DateTimeOffset? Time { get; }

    /// <summary>Whether this is <see cref="End"/>.</summary>
    public bool IsEnd { get; }

    /// <summary>The position this start reads after, given the store's time now; <see langword="null"/> for the beginning.</summary>
    internal LogPosition? Resolve(DateTimeOffset storeNow)
        => IsEnd ? LogPosition.Before(storeNow) : Time is { } t ? LogPosition.Before(t) : null;

    /// <inheritdoc />
    public override string ToString()
        => IsEnd ? "end" : Time is { } t ? t.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : "beginning";
}
