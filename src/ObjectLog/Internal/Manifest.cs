using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ObjectLog.Internal;

/// <summary>
/// The commit record of a merged object: until it exists the merged data is invisible; once it exists the merged
/// data is authoritative for exactly the batches listed here, each at its byte range and with its line count.
/// </summary>
/// <remarks>
/// Written as format 2 (docs/format.md): each batch once, as its name's stem with its line count, length and
/// CRC-32C (offsets are implied: batches lie back to back; manifests written before checksums lack the CRC), and what it supersedes as index ranges into that list plus
/// the merged objects it read, so a manifest stays a few percent of its data. Format 1, which wrote every name
/// twice as JSON objects, is still read.
/// </remarks>
internal sealed class Manifest
{
    public const string CurrentFormat = "objectlog.manifest/2";
    private const string Format1 = "objectlog.manifest/1";
    private const string BatchStart = "batch_";
    private const string DataEnd = ".jsonl";

    /// <summary>Name (relative to the log prefix) of the merged data object.</summary>
    public string Data { get; set; } = "";

    /// <summary>The batches the data holds, in log order, back to back from offset 0.</summary>
    public List<ManifestBatch> Batches { get; set; } = [];

    /// <summary>The objects (names relative to the log prefix) whose bytes were merged, and the manifests of the merged ones; they may be deleted.</summary>
    public List<string> Supersedes { get; set; } = [];

    public byte[] Serialize()
    {
        var batchIndex = new Dictionary<string, int>(Batches.Count, StringComparer.Ordinal);
        for (int i = 0; i < Batches.Count; i++)
        {
            batchIndex[Batches[i].Name] = i;
        }

        var ownObjects = new List<int>();
        var others = new List<string>();
        var mergedManifests = new HashSet<string>(Supersedes.Where(IsMerged).Select(LogObjectName.ManifestFor), StringComparer.Ordinal);
        foreach (string name in Supersedes)
        {
            // A batch object is recorded by its batch (its key may also carry a checksum).
            if (LogObjectName.TryParse(name, out LogObjectName parsed) && parsed.Kind == LogObjectKind.Batch && batchIndex.TryGetValue(parsed.First, out int index))
            {
                ownObjects.Add(index);
            }
            else if (!mergedManifests.Contains(name))
            {
                others.Add(name);
            }
        }

        ownObjects.Sort();
        var buffer = new ArrayBufferWriter<byte>(64 + (Batches.Count * 64));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("format", CurrentFormat);
            json.WriteString("data", Data);
            json.WriteStartArray("batches");
            foreach (ManifestBatch b in Batches)
            {
                json.WriteStartArray();
                json.WriteStringValue(b.Name.AsSpan(BatchStart.Length, b.Name.Length - BatchStart.Length - DataEnd.Length));
                json.WriteNumberValue(b.Lines);
                json.WriteNumberValue(b.Length);
                if (b.Crc is uint crc)
                {
                    json.WriteNumberValue(crc);
                    if (b.Stored is { } stored)
                    {
                        json.WriteNumberValue(CeilingMilliseconds(stored));
                    }
                }

                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteStartObject("supersedes");
            json.WriteStartArray("batches");
            for (int i = 0; i < ownObjects.Count;)
            {
                int j = i;
                while (j + 1 < ownObjects.Count && ownObjects[j + 1] == ownObjects[j] + 1)
                {
                    j++;
                }

                json.WriteStartArray();
                json.WriteNumberValue(ownObjects[i]);
                json.WriteNumberValue(ownObjects[j]);
                json.WriteEndArray();
                i = j + 1;
            }

            json.WriteEndArray();
            json.WriteStartArray("objects");
            foreach (string name in others)
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses and checks a manifest; throws <see cref="CorruptObjectException"/> naming <paramref name="key"/> if it is not sound.</summary>
    public static Manifest Parse(byte[] json, string key, LogObjectName name)
    {
        Manifest manifest;
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            string? format = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("format", out JsonElement f) ? f.GetString() : null;
            manifest = format switch
            {
                CurrentFormat => ParseFormat2(root),
                Format1 => ParseFormat1(json),
                _ => throw new CorruptObjectException(key, $"it is not a '{CurrentFormat}' (or '{Format1}') manifest"),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException or IndexOutOfRangeException or KeyNotFoundException)
        {
            throw new CorruptObjectException(key, $"it is not valid manifest JSON ({e.Message})", e);
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

    /// <summary>Milliseconds since 1970, rounded up: a batch's stored time errs late, so a trim errs towards keeping it.</summary>
    private static long CeilingMilliseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;

    private static bool IsMerged(string name) => LogObjectName.TryParse(name, out LogObjectName n) && n.Kind == LogObjectKind.Merged;

    private static Manifest ParseFormat2(JsonElement root)
    {
        var manifest = new Manifest { Data = root.GetProperty("data").GetString() ?? "" };
        long offset = 0;
        foreach (JsonElement entry in root.GetProperty("batches").EnumerateArray())
        {
            var batch = new ManifestBatch
            {
                Name = BatchStart + entry[0].GetString() + DataEnd,
                Lines = entry[1].GetInt32(),
                Length = entry[2].GetInt64(),
                Crc = entry.GetArrayLength() > 3 ? entry[3].GetUInt32() : null,
                Stored = entry.GetArrayLength() > 4 ? DateTimeOffset.FromUnixTimeMilliseconds(entry[4].GetInt64()) : null,
                Offset = offset,
            };
            offset += batch.Length;
            manifest.Batches.Add(batch);
        }

        JsonElement supersedes = root.GetProperty("supersedes");
        foreach (JsonElement range in supersedes.GetProperty("batches").EnumerateArray())
        {
            for (int i = range[0].GetInt32(); i <= range[1].GetInt32(); i++)
            {
                manifest.Supersedes.Add(manifest.Batches[i].Name);
            }
        }

        foreach (JsonElement other in supersedes.GetProperty("objects").EnumerateArray())
        {
            string objectName = other.GetString() ?? "";
            manifest.Supersedes.Add(objectName);
            if (IsMerged(objectName))
            {
                manifest.Supersedes.Add(LogObjectName.ManifestFor(objectName));
            }
        }

        return manifest;
    }

    private static Manifest ParseFormat1(byte[] json)
    {
        Format1Document document = JsonSerializer.Deserialize(json, ManifestJsonContext.Default.Format1Document)
            ?? throw new JsonException("the manifest is null");
        return new Manifest { Data = document.Data, Batches = document.Batches, Supersedes = document.Supersedes };
    }
}

/// <summary>Format 1 of a manifest, as written before format 2: read, never written.</summary>
internal sealed class Format1Document
{
    [JsonPropertyName("format")]
    public string Format { get; set; } = "";

    [JsonPropertyName("data")]
    public string Data { get; set; } = "";

    [JsonPropertyName("batches")]
    public List<ManifestBatch> Batches { get; set; } = [];

    [JsonPropertyName("supersedes")]
    public List<string> Supersedes { get; set; } = [];
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

    /// <summary>The CRC-32C of the batch's bytes; <see langword="null"/> in manifests written before checksums.</summary>
    [JsonIgnore]
    public uint? Crc { get; set; }

    /// <summary>
    /// When the store stamped the batch's own object (to the millisecond, rounded up): what a trim compares, since a
    /// trim hides only what was stored before it. <see langword="null"/> in manifests written before it was kept;
    /// such a batch counts as stored before every trim, as those versions read it.
    /// </summary>
    [JsonIgnore]
    public DateTimeOffset? Stored { get; set; }
}

[JsonSerializable(typeof(Format1Document))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
