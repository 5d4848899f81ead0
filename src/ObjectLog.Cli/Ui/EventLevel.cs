using System.Text.Json;

namespace ObjectLog.Cli.Ui;

/// <summary>
/// An event's level, read from its top-level properties without building a document (the histogram reads every
/// event of its range): the first of the ILogger provider's <c>level</c>, CLEF's <c>@l</c>, <c>Level</c> or
/// <c>severity</c> that holds a string (a CLEF event, one with <c>@t</c>, without <c>@l</c> is Information, as CLEF says). Known names come back in one
/// spelling (<c>warn</c> is Warning), so one level is one bar colour whoever wrote it.
/// </summary>
internal static class EventLevel
{
    /// <summary>The histogram's key for events with no level, and the <c>level</c> filter's word for them.</summary>
    public const string None = "none";

    /// <summary>Known levels, least severe first: the histogram's stacking order.</summary>
    private static readonly string[] Order = ["Verbose", "Trace", "Debug", "Information", "Warning", "Error", "Critical", "Fatal"];

    /// <summary>The level of <paramref name="json"/>, or <see langword="null"/> when it has none (or is not a JSON object).</summary>
    public static string? Of(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            // The first level property wins, so the scan stops there: loggers write it near the start, before the
            // message and properties that make up most of an event (the histogram reads every event of its range).
            bool clef = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isLevel = reader.ValueTextEquals("@l"u8) || reader.ValueTextEquals("level"u8) || reader.ValueTextEquals("Level"u8) || reader.ValueTextEquals("severity"u8);
                clef |= reader.ValueTextEquals("@t"u8);
                reader.Read();
                if (isLevel && reader.TokenType == JsonTokenType.String)
                {
                    return Canonical(ref reader);
                }

                reader.Skip();
            }

            return clef ? "Information" : null;
        }
        catch (JsonException)
        {
            return null; // a line that is not JSON, or is cut: no level
        }
    }

    /// <summary>Where <paramref name="level"/> stacks: known levels by severity, others after them by name, none last.</summary>
    public static int Rank(string level)
    {
        int known = Array.IndexOf(Order, level);
        return known >= 0 ? known : level == None ? int.MaxValue : Order.Length;
    }

    /// <summary>Whether <paramref name="level"/> (an event's, or <see langword="null"/>) is one of <paramref name="wanted"/> (compared ignoring case; <c>none</c> for no level).</summary>
    public static bool IsOneOf(string? level, IReadOnlySet<string> wanted) => wanted.Contains(level ?? None);

    private static string Canonical(ref Utf8JsonReader reader)
    {
        foreach ((string name, string[] aliases) in Aliases)
        {
            foreach (string alias in aliases)
            {
                if (reader.ValueTextEquals(alias))
                {
                    return name;
                }
            }
        }

        string text = reader.GetString()!;
        return Aliases.FirstOrDefault(a => a.Aliases.Contains(text, StringComparer.OrdinalIgnoreCase)).Name ?? text;
    }

    /// <summary>The spellings the common loggers use, exact first (ValueTextEquals is ordinal); other casings fall back to a string compare.</summary>
    private static readonly (string Name, string[] Aliases)[] Aliases =
    [
        ("Information", ["Information", "information", "Info", "info", "INFO", "INFORMATION"]),
        ("Debug", ["Debug", "debug", "DEBUG", "DBG"]),
        ("Warning", ["Warning", "warning", "Warn", "warn", "WARN", "WARNING"]),
        ("Error", ["Error", "error", "ERROR", "ERR"]),
        ("Trace", ["Trace", "trace", "TRACE"]),
        ("Verbose", ["Verbose", "verbose", "VERBOSE"]),
        ("Critical", ["Critical", "critical", "CRITICAL", "crit"]),
        ("Fatal", ["Fatal", "fatal", "FATAL"]),
    ];
}
