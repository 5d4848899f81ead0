using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ObjectLog.Cli.Ui;

/// <summary>
/// Which events the page asked for besides their time: levels, free text and <c>PATH=VALUE</c> clauses (docs/ui.md,
/// "Filters"). Cheap tests first: the level is read without a document, text is searched in the event's bytes
/// decoded once, and only events that pass both are parsed for their fields.
/// </summary>
internal sealed class EventFilter
{
    private readonly HashSet<string>? _levels;
    private readonly string? _text;
    private readonly IReadOnlyList<(string[] Path, string Value)> _where;

    private EventFilter(HashSet<string>? levels, string? text, IReadOnlyList<(string[] Path, string Value)> where)
    {
        _levels = levels;
        _text = text;
        _where = where;
    }

    /// <summary>Whether every event passes (no level, text or field was asked for).</summary>
    public bool IsEmpty => _levels is null && _text is null && _where.Count == 0;

    /// <summary>Reads the filter from the query's <c>level</c>, <c>q</c> and <c>where</c>.</summary>
    /// <exception cref="ArgumentException">A <c>where</c> clause is not <c>PATH=VALUE</c>.</exception>
    public static EventFilter Parse(IEnumerable<string?> levels, string? text, IEnumerable<string?> where)
    {
        HashSet<string>? levelSet = null;
        foreach (string level in levels.SelectMany(l => (l ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            levelSet ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            levelSet.Add(level);
        }

        var clauses = new List<(string[] Path, string Value)>();
        foreach (string clause in where.SelectMany(w => (w ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            int equals = clause.IndexOf('=', StringComparison.Ordinal);
            string path = equals > 0 ? clause[..equals].Trim() : "";
            if (path.Length == 0 || path.Split('.').Any(p => p.Length == 0))
            {
                throw new ArgumentException($"where: '{clause}' is not PATH=VALUE (such as properties.OrderId=42 or @l=Error).");
            }

            clauses.Add((path.Split('.'), clause[(equals + 1)..].Trim()));
        }

        return new EventFilter(levelSet, string.IsNullOrWhiteSpace(text) ? null : text.Trim(), clauses);
    }

    /// <summary>Whether <paramref name="data"/>, whose level is <paramref name="level"/>, passes.</summary>
    public bool Matches(byte[] data, string? level)
    {
        if (_levels is not null && !EventLevel.IsOneOf(level, _levels))
        {
            return false;
        }

        if (_text is not null && !ContainsText(data, _text))
        {
            return false;
        }

        return _where.Count == 0 || MatchesFields(data);
    }

    private static bool ContainsText(byte[] data, string text)
    {
        char[] chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(data.Length));
        try
        {
            int n = Encoding.UTF8.GetChars(data, chars);
            return chars.AsSpan(0, n).Contains(text, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private bool MatchesFields(byte[] data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            foreach ((string[] path, string value) in _where)
            {
                JsonElement element = document.RootElement;
                foreach (string name in path)
                {
                    if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
                    {
                        return false;
                    }
                }

                if (!Equal(element, value))
                {
                    return false;
                }
            }

            return true;
        }
        catch (JsonException)
        {
            return false; // not JSON: it has no fields
        }
    }

    /// <summary>A string equals the text (ordinal); a number the number; true, false and null themselves; objects and arrays their JSON text.</summary>
    private static bool Equal(JsonElement element, string value) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString() == value,
        JsonValueKind.Number => decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal wanted) && element.TryGetDecimal(out decimal actual)
            ? actual == wanted
            : element.GetRawText() == value,
        JsonValueKind.True => value == "true",
        JsonValueKind.False => value == "false",
        JsonValueKind.Null => value == "null",
        _ => element.GetRawText() == value,
    };
}
