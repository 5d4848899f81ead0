using System.Globalization;
using System.Text.RegularExpressions;

namespace ObjectLog.Cli;

/// <summary>Times and spans given on the command line: <c>2026-11-25T10:00:00Z</c>, or a span ago such as <c>90s</c>, <c>30m</c>, <c>1h</c>, <c>2d</c>, <c>1w</c>.</summary>
internal static partial class TimeArgument
{
    /// <summary>An ISO 8601 time (UTC unless it carries an offset), or a span before <paramref name="now"/>.</summary>
    /// <exception cref="ArgumentException">The text is neither; the message names <paramref name="option"/>.</exception>
    public static DateTimeOffset ParseTime(string text, DateTimeOffset now, string option)
    {
        if (TryParseSpan(text, out TimeSpan ago))
        {
            return now - ago;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time))
        {
            return time;
        }

        throw new ArgumentException($"{option}: '{text}' is not a time (such as 2026-11-25T10:00:00Z) or a span ago (such as 30m, 1h, 2d).");
    }

    /// <summary>A positive span: a whole number and a unit (s, m, h, d, w).</summary>
    /// <exception cref="ArgumentException">The text is not one; the message names <paramref name="option"/>.</exception>
    public static TimeSpan ParseSpan(string text, string option)
    {
        if (TryParseSpan(text, out TimeSpan span))
        {
            return span;
        }

        throw new ArgumentException(SpanPattern().Match(text) is { Success: true } m && m.Groups[1].Value.All(c => c == '0')
            ? $"{option}: '{text}' is zero: keeping nothing would remove the whole log. Give a span of at least 1s, or --before a time."
            : $"{option}: '{text}' is not a span (a whole number and s, m, h, d or w, such as 30d).");
    }

    /// <summary>Whether the text is a span ago (<c>30m</c>) rather than a time.</summary>
    public static bool IsSpan(string text) => TryParseSpan(text, out _);

    /// <summary>A span that may be zero: <c>0</c>, or a whole number and a unit (s, m, h, d, w).</summary>
    public static bool TryParseDuration(string text, out TimeSpan span)
    {
        if (text == "0")
        {
            span = TimeSpan.Zero;
            return true;
        }

        return TryParseSpan(text, out span);
    }

    private static bool TryParseSpan(string text, out TimeSpan span)
    {
        span = default;
        Match m = SpanPattern().Match(text);
        if (!m.Success || !long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n <= 0)
        {
            return false;
        }

        double seconds = m.Groups[2].Value switch
        {
            "s" => n,
            "m" => n * 60.0,
            "h" => n * 3600.0,
            "d" => n * 86400.0,
            _ => n * 604800.0,
        };
        if (seconds > TimeSpan.FromDays(365 * 1000).TotalSeconds)
        {
            return false;
        }

        span = TimeSpan.FromSeconds(seconds);
        return true;
    }

    // ASCII digits only, and nothing after the unit (\z: $ would also take a trailing newline).
    [GeneratedRegex(@"^([0-9]{1,12})([smhdw])\z", RegexOptions.CultureInvariant)]
    private static partial Regex SpanPattern();
}
