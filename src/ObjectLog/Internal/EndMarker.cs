using System.Text;

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
}
