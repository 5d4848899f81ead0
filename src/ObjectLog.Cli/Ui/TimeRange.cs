using System.Globalization;

namespace ObjectLog.Cli.Ui;

/// <summary>
/// The batch times the page asked for: <c>range</c> (<c>15m</c>, <c>1h</c>, <c>24h</c>, <c>7d</c> back from the store's
/// time, or <c>all</c>), or <c>from</c> and <c>until</c> (ISO-8601; either may be absent). Nothing given is everything.
/// </summary>
/// <param name="From">The earliest batch time; <see langword="null"/> for the log's start.</param>
/// <param name="Until">The batch time to stop before; <see langword="null"/> for no end.</param>
internal readonly record struct TimeRange(DateTimeOffset? From, DateTimeOffset? Until)
{
    /// <summary>Whether <paramref name="range"/> counts back from now, so resolving it needs the store's time.</summary>
    public static bool IsRelative(string? range) => range is not (null or "" or "all" or "custom");

    /// <exception cref="ArgumentException">A value is malformed, or the range ends before it starts.</exception>
    public static TimeRange Parse(string? range, string? from, string? until, DateTimeOffset storeTime)
    {
        if (IsRelative(range))
        {
            TimeSpan span = range switch
            {
                "15m" => TimeSpan.FromMinutes(15),
                "1h" => TimeSpan.FromHours(1),
                "24h" => TimeSpan.FromHours(24),
                "7d" => TimeSpan.FromDays(7),
                _ => throw new ArgumentException($"range: '{range}' is not one of 15m, 1h, 24h, 7d, all or custom."),
            };
            return new TimeRange(storeTime - span, null);
        }

        DateTimeOffset? start = Time(from, "from"), end = Time(until, "until");
        if (end < start)
        {
            throw new ArgumentException($"until ({end:O}) is before from ({start:O}).");
        }

        return new TimeRange(start, end);
    }

    private static DateTimeOffset? Time(string? text, string name)
        => string.IsNullOrWhiteSpace(text) ? null
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time) ? time
            : throw new ArgumentException($"{name}: '{text}' is not a time (such as 2026-12-02T10:00:00Z).");
}
