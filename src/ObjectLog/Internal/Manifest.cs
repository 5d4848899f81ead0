using System.Text.Json;
using System.Text.Json.Serialization;

namespace ObjectLog.Internal;

/// <summary>
/// The commit record of a merged object: until it exists the merged data is invisible; once it exists the merged
/// data is authoritative for exactly the batches listed here, each at its byte range and with its line count.
/// </summary>
internal sealed class Manifest
{
    public const string CurrentFormat = "objectlog.manifest/1";

    [JsonPropertyName("format")]
    public string Format { get; set; } = CurrentFormat;

    /// <summary>Name (relative to the log prefix) of the merged data object.</summary>
    [JsonPropertyName("data")]
    public string Data { get; set; } = "";

    /// <summary>The batches the data holds, in log order, back to back from offset 0.</summary>
    [JsonPropertyName("batches")]
    public List<ManifestBatch> Batches { get; set; } = [];

    /// <summary>The objects (names relative to the log prefix) whose bytes were merged; they may be deleted.</summary>
    [JsonPropertyName("supersedes")]
    public List<string> Supersedes { get; set; } = [];

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, ManifestJsonContext.Default.Manifest);

    /// <summary>Parses and checks a manifest; throws <see cref="CorruptObjectException"/> naming <paramref name="key"/> if it is not sound.</summary>
    public static Manifest Parse(byte[] json, string key, LogObjectName name)
    {
        Manifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(json, ManifestJsonContext.Default.Manifest);
        }
        catch (JsonException e)
        {
            throw new CorruptObjectException(key, $"it is not valid manifest JSON ({e.Message})", e);
        }

        if (manifest is null || manifest.Format != CurrentFormat)
        {
            throw new CorruptObjectException(key, $"it is not a '{CurrentFormat}' manifest");
        }

        if (manifest.Data != name.DataName || manifest.Batches.Count == 0
            || manifest.Batches[0].Name != name.First || manifest.Batches[^1].Name != name.Last)
        {
            throw new CorruptObjectException(key, "its contents do not match its name");
        }

        long offset = 0;
        string? previous = null;
        foreach (ManifestBatch b in manifest.Batches)
        {
            if (!LogObjectName.TryParse(b.Name, out LogObjectName parsed) || parsed.Kind != LogObjectKind.Batch
                || (previous is not null && string.CompareOrdinal(previous, b.Name) >= 0)
                || b.Offset != offset || b.Length <= 0 || b.Lines <= 0)
            {
                throw new CorruptObjectException(key, $"its entry for batch '{b.Name}' is not valid");
            }

            offset += b.Length;
            previous = b.Name;
        }

        return manifest;
    }
}

/// <summary>One batch held by a merged object.</summary>
internal sealed class ManifestBatch
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("offset")]
    public long Offset { get; set; }

    [JsonPropertyName("length")]
    public long Length { get; set; }

    [JsonPropertyName("lines")]
    public int Lines { get; set; }
}

[JsonSerializable(typeof(Manifest))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
