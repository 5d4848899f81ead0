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
        string data = StoredJson.ReadObject(body, key, "an end marker", root =>
        {
            JsonElement format = StoredJson.Field(root, "format");
            return format.ValueKind == JsonValueKind.String && format.ValueEquals(Format)
                ? StoredJson.String(StoredJson.Field(root, "data"), "data", key)
                : throw new CorruptObjectException(key, $"its 'format' is {StoredJson.Describe(format)}, not '{Format}'");
        });
        return data == name.DataName
            ? data
            : throw new CorruptObjectException(key, $"its contents do not match its name: its 'data' is '{data}', its name's '{name.DataName}'");
    }
}
