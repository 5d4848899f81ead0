using System.Globalization;
using System.Text.Json;

namespace ObjectLog.Cli;

/// <summary>
/// What <c>append</c> refuses before storing anything: what the library would refuse (empty, too long, a newline),
/// a blank line, and, unless raw, a line that is not one JSON value (one such line makes JSON Lines readers such as
/// DuckDB refuse the whole log).
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

        if (line.IndexOfAnyExcept(" \t\r"u8) < 0)
        {
            return "is blank (only whitespace)";
        }

        return raw ? null : JsonProblem(line);
    }

    public static string TooLong(int maxBytes) => string.Create(CultureInfo.InvariantCulture, $"is longer than --max-event-bytes ({maxBytes:N0} bytes)");

    private static string? JsonProblem(ReadOnlySpan<byte> line)
    {
        // The span is the final block, so an incomplete value or anything after the value throws; a valid line
        // allocates nothing.
        var reader = new Utf8JsonReader(line);
        try
        {
            while (reader.Read())
            {
            }

            return null;
        }
        catch (JsonException e)
        {
            // The reader's message ends with its own zero-based position; give the user's one-based byte instead.
            string message = e.Message;
            int at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            string reason = (at >= 0 ? message[..at] : message).TrimEnd('.', ' ');
            return string.Create(CultureInfo.InvariantCulture, $"is not JSON: {reason} (at byte {e.BytePositionInLine + 1}); --raw stores lines that are not JSON");
        }
    }
}
