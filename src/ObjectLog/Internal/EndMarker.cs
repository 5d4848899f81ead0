using System.Text;
using System.Text.Json;

namespace ObjectLog.Internal;

/// <summary>
/// The body of an end marker (<see cref="LogObjectKind.EndMarker"/>). Readers never fetch it, since the name says
/// everything; it names the merged object for a person looking at the prefix.
/// </summary>
internal static class EndMarker
{
    public const string Format = "objectlog.end/1";

    /// <summary>The body; <paramref name="dataName"/> is a merged object's name, whose characters JSON never escapes.</summary>
    public static byte[] Serialize(string dataName)
        => Encoding.UTF8.GetBytes($"{{\"format\":\"{Format}\",\"data\":\"{dataName}\"}}");

    /// <summary>
    /// Parses and checks a marker's body against its <paramref name="name"/>, for whatever looks at it (readers never
    /// do): returns the merged object it names, or throws <see cref="CorruptObjectException"/> naming
    /// <paramref name="key"/> and what is wrong. Nothing else escapes, whatever the bytes.
    /// </summary>
    public static string Parse(byte[] body, string key, LogObjectName name)
    {
        string data;
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CorruptObjectException(key, $"it is not an end marker: it is {Manifest.Describe(root)}, not a JSON object");
            }

            JsonElement format = root.TryGetProperty("format", out JsonElement f) ? f : default;
            if (format.ValueKind != JsonValueKind.String || !format.ValueEquals(Format))
            {
                throw new CorruptObjectException(key, $"its 'format' is {Manifest.Describe(format)}, not '{Format}'");
            }

            JsonElement value = root.TryGetProperty("data", out JsonElement d) ? d : default;
            data = value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw new CorruptObjectException(key, $"its 'data' is {Manifest.Describe(value)}, not a string");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            // Not JSON, nested too deep, or a string that is not UTF-8.
            throw new CorruptObjectException(key, $"it is not valid JSON ({e.Message})", e);
        }

        return data == name.DataName
            ? data
            : throw new CorruptObjectException(key, $"its contents do not match its name: its 'data' is '{data}', its name's '{name.DataName}'");
    }
}
