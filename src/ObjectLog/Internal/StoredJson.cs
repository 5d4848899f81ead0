using System.Text.Json;

namespace ObjectLog.Internal;

/// <summary>
/// Reading the small JSON objects ObjectLog stores (manifests, end markers): whatever the bytes, the only exception
/// that escapes is <see cref="CorruptObjectException"/> naming the object's key and what is wrong, in words that
/// quote the offending value.
/// </summary>
internal static class StoredJson
{
    /// <summary>
    /// Parses <paramref name="body"/> as one JSON object and reads it with <paramref name="read"/>, which throws
    /// <see cref="CorruptObjectException"/> for a field that is wrong. <paramref name="what"/> names what the object
    /// should be ("a manifest"), for the message when it is not an object at all.
    /// </summary>
    public static T ReadObject<T>(byte[] body, string key, string what, Func<JsonElement, T> read)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            JsonElement root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                ? read(root)
                : throw new CorruptObjectException(key, $"it is not {what}: it is {Describe(root)}, not a JSON object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            // Not JSON, nested too deep, or a string that is not UTF-8.
            throw new CorruptObjectException(key, $"it is not valid JSON ({e.Message})", e);
        }
    }

    /// <summary>The property <paramref name="name"/> of the object <paramref name="parent"/>; <see cref="JsonValueKind.Undefined"/> if it has none.</summary>
    public static JsonElement Field(JsonElement parent, string name) => parent.TryGetProperty(name, out JsonElement value) ? value : default;

    public static string String(JsonElement value, string at, string key)
        => value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new CorruptObjectException(key, $"its '{at}' is {Describe(value)}, not a string");

    /// <summary>A JSON value, for a message: its kind, or a number or string as written (cut short).</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined => "missing",
        JsonValueKind.Null => "null",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number or JsonValueKind.String => Short(value.GetRawText()),
        JsonValueKind.Array => $"an array of {value.GetArrayLength()}",
        _ => "an object",
    };

    private static string Short(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");
}
