using System.Globalization;

namespace ObjectLog.Cli;

/// <summary>
/// What <c>append</c> refuses before storing anything: what the library would refuse (empty, too long, a newline),
/// a blank line, and, unless raw, a line that is not one JSON value in valid UTF-8 (one such line makes JSON Lines
/// readers such as DuckDB refuse the whole log).
/// </summary>
internal static class EventCheck
{
    /// <summary>Why <paramref name="line"/> cannot be stored, as the end of a sentence about it, or <see langword="null"/> if it can.</summary>
    public static string? Problem(ReadOnlySpan<byte> line, int maxBytes, bool raw)
    {
        if (line.IsEmpty)
        {
            return "is empty";
        }

        if (line.Length > maxBytes)
        {
            return TooLong(maxBytes);
        }

        int newline = line.IndexOf((byte)'\n');
        if (newline >= 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"contains a newline (at byte {newline}), so it would be stored as two events");
        }

        if (IsBlank(line))
        {
            return "is blank (only whitespace)";
        }

        return raw || JsonLine.Problem(line) is not { } problem ? null : $"is {problem}; --raw stores lines that are not JSON";
    }

    /// <summary>Whether <paramref name="line"/> is empty or only whitespace: no event, on standard input a line that is skipped.</summary>
    public static bool IsBlank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept(" \t\r"u8) < 0;

    public static string TooLong(int maxBytes) => string.Create(CultureInfo.InvariantCulture, $"is longer than --max-event-bytes ({maxBytes:N0} bytes)");
}
