using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;

namespace ObjectLog;

/// <summary>
/// Whether an event's bytes are what every JSON Lines reader takes: one JSON value in valid UTF-8.
/// <see cref="Utf8JsonReader"/> alone does not check the bytes inside strings, and Python's <c>json</c> and DuckDB
/// refuse a line whose bytes are not UTF-8.
/// </summary>
public static class JsonLine
{
    /// <summary>
    /// Why <paramref name="line"/> is not one JSON value in valid UTF-8, as the end of a sentence ("not valid UTF-8
    /// (at byte 9)"), or <see langword="null"/> if it is: a check before appending an event that every JSON Lines
    /// reader must take (the log itself stores any bytes without a newline). A valid line allocates nothing.
    /// </summary>
    /// <param name="line">The event's bytes, without a trailing newline.</param>
    public static string? Problem(ReadOnlySpan<byte> line)
    {
        if (!Utf8.IsValid(line))
        {
            return string.Create(CultureInfo.InvariantCulture, $"not valid UTF-8 (at byte {FirstInvalidByte(line) + 1})");
        }

        // The span is the final block, so an incomplete value or anything after the value throws.
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
            // The reader's message ends with its own zero-based position; give a one-based byte instead.
            string message = e.Message;
            int at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            string reason = (at >= 0 ? message[..at] : message).TrimEnd('.', ' ');
            return string.Create(CultureInfo.InvariantCulture, $"not JSON: {reason} (at byte {e.BytePositionInLine + 1})");
        }
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> line)
    {
        int at = 0;
        while (System.Text.Rune.DecodeFromUtf8(line[at..], out _, out int consumed) == System.Buffers.OperationStatus.Done)
        {
            at += consumed;
        }

        return at;
    }
}
