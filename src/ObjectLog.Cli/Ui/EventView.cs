using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ObjectLog.Cli.Ui;

/// <summary>
/// One event as the page shows it (the <c>events</c> and <c>follow</c> endpoints' item, docs/ui.md): its position,
/// times, level, a one-line message, and its text as stored. The page renders every field as text.
/// </summary>
/// <param name="Position">Where it is in the log (<c>BATCH:LINE</c>).</param>
/// <param name="BatchTime">Its batch's time: what the log orders, ranges and charts by.</param>
/// <param name="Time">Its own <c>@t</c> or <c>timestamp</c> when it has one that parses, else <paramref name="BatchTime"/>.</param>
/// <param name="Level">Its level (<see cref="EventLevel"/>), or <see langword="null"/>.</param>
/// <param name="Message">One line: the ILogger provider's <c>message</c>; CLEF's <c>@m</c>, or <c>@mt</c> rendered; else the first properties.</param>
/// <param name="Raw">The event's text as stored.</param>
internal sealed record EventView(string Position, DateTimeOffset BatchTime, DateTimeOffset Time, string? Level, string Message, string Raw)
{
    /// <summary>The longest message a row shows; the whole event is in <see cref="Raw"/>.</summary>
    public const int MaxMessage = 500;

    /// <summary>How many top-level properties a summary of other JSON shows.</summary>
    private const int SummaryProperties = 6;

    public static EventView Of(LogEvent e, string? level)
    {
        string raw = Encoding.UTF8.GetString(e.Data);
        DateTimeOffset batchTime = e.Position.BatchTime;
        DateTimeOffset time = batchTime;
        string message;
        try
        {
            using var document = JsonDocument.Parse(e.Data);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                message = raw;
            }
            else
            {
                if ((Property(root, "@t") ?? Property(root, "timestamp")) is { ValueKind: JsonValueKind.String } t
                    && DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset own))
                {
                    time = own;
                }

                message = Property(root, "message") is { ValueKind: JsonValueKind.String } m ? m.GetString()!
                    : Property(root, "@m") is { ValueKind: JsonValueKind.String } cm ? cm.GetString()!
                    : Property(root, "@mt") is { ValueKind: JsonValueKind.String } mt ? Render(mt.GetString()!, root)
                    : Summary(root);
                if (Property(root, "exception") is { } ex && ex.ValueKind != JsonValueKind.Null && Property(ex, "message") is { ValueKind: JsonValueKind.String } exMessage)
                {
                    message += " — " + exMessage.GetString();
                }
                else if (Property(root, "@x") is { ValueKind: JsonValueKind.String } clefException)
                {
                    message += " — " + clefException.GetString()!.Split('\n')[0];
                }
            }
        }
        catch (JsonException)
        {
            message = raw;
        }

        return new EventView(e.Position.ToString(), batchTime, time, level, OneLine(message), raw);
    }

    /// <summary>A CLEF message template with each <c>{Name}</c> (or <c>{@Name}</c>, <c>{Name:format}</c>) replaced by the property's value; <c>{{</c> and <c>}}</c> are braces.</summary>
    internal static string Render(string template, JsonElement properties)
    {
        var text = new StringBuilder(template.Length + 32);
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                text.Append(c);
                i++;
                continue;
            }

            int close = c == '{' ? template.IndexOf('}', i + 1) : -1;
            if (close < 0)
            {
                text.Append(c);
                continue;
            }

            string hole = template[(i + 1)..close];
            string name = hole.TrimStart('@', '$');
            int cut = name.IndexOfAny([':', ',']);
            name = cut >= 0 ? name[..cut] : name;
            if (Property(properties, name) is { } value)
            {
                text.Append(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText());
            }
            else
            {
                text.Append('{').Append(hole).Append('}');
            }

            i = close;
        }

        return text.ToString();
    }

    private static string Summary(JsonElement root)
    {
        var text = new StringBuilder();
        foreach (JsonProperty p in root.EnumerateObject().Take(SummaryProperties))
        {
            text.Append(text.Length == 0 ? "" : " ").Append(p.Name).Append('=');
            text.Append(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText());
        }

        return text.ToString();
    }

    private static JsonElement? Property(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) ? value : null;

    private static string OneLine(string text)
    {
        var line = new StringBuilder(Math.Min(text.Length, MaxMessage + 1));
        foreach (char c in text)
        {
            if (line.Length >= MaxMessage)
            {
                line.Append('…');
                break;
            }

            line.Append(char.IsControl(c) ? ' ' : c);
        }

        return line.ToString();
    }
}
