using System.Buffers;
using System.Text.Json;
using static ObjectLog.Internal.StoredJson;

namespace ObjectLog.Internal;

/// <summary>
/// The commit record of a merged object: until it exists the merged data is invisible; once it exists the merged
/// data is authoritative for exactly the batches listed here, each at its byte range and with its line count.
/// </summary>
/// <remarks>
/// Written as format 3 (docs/format.md, Manifest.Format3.cs): the batches as columns, delta-coded and run-length
/// coded, so a manifest costs 10 to 21 bytes a batch rather than 87 (docs/format.md). Formats 2 (Manifest.Format1And2.cs: each batch an array of stem, lines,
/// length, CRC-32C and stored time; offsets implied) and 1 (every name twice, as JSON objects) are still read: logs
/// in users' stores hold them. All three record what a merge supersedes as index ranges into its batches plus the
/// merged objects it read.
/// </remarks>
internal sealed partial class Manifest
{
    public const string CurrentFormat = "objectlog.manifest/3";
    public const string Format2 = "objectlog.manifest/2";
    private const string Format1 = "objectlog.manifest/1";
    private const string BatchStart = "batch_";
    private const string DataEnd = ".jsonl";

    /// <summary>Name (relative to the log prefix) of the merged data object.</summary>
    public string Data { get; set; } = "";

    /// <summary>The batches the data holds, in log order, back to back from offset 0.</summary>
    public List<ManifestBatch> Batches { get; set; } = [];

    /// <summary>The objects (names relative to the log prefix) whose bytes were merged, and the manifests of the merged ones; they may be deleted.</summary>
    public List<string> Supersedes { get; set; } = [];

    /// <summary>The manifest as <paramref name="format"/> (<see cref="CurrentFormat"/> unless a test or benchmark asks for format 2) writes it.</summary>
    public byte[] Serialize(string format = CurrentFormat)
    {
        if (format is not (CurrentFormat or Format2))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, $"Manifests are written as '{CurrentFormat}' or '{Format2}'.");
        }

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
        var buffer = new ArrayBufferWriter<byte>(64 + (Batches.Count * (format == CurrentFormat ? 16 : 64)));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("format", format);
            json.WriteString("data", Data);
            if (format == CurrentFormat)
            {
                WriteColumns(json);
            }
            else
            {
                WriteFormat2Batches(json);
            }

            json.WriteStartObject("supersedes");
            json.WriteStartArray("batches");
            WriteRanges(json, ownObjects);
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

    /// <summary>Writes sorted indexes as inclusive <c>[first, last]</c> ranges of consecutive ones.</summary>
    private static void WriteRanges(Utf8JsonWriter json, List<int> indexes)
    {
        for (int i = 0; i < indexes.Count;)
        {
            int j = i;
            while (j + 1 < indexes.Count && indexes[j + 1] == indexes[j] + 1)
            {
                j++;
            }

            json.WriteStartArray();
            json.WriteNumberValue(indexes[i]);
            json.WriteNumberValue(indexes[j]);
            json.WriteEndArray();
            i = j + 1;
        }
    }

    /// <summary>
    /// Parses and checks a manifest; throws <see cref="CorruptObjectException"/> naming <paramref name="key"/>, and the
    /// field that is wrong, if it is not sound. Nothing else escapes, whatever the bytes.
    /// </summary>
    /// <remarks>
    /// Sound means: a JSON object in one of the three formats with every field present and of its type (no nulls);
    /// each batch a batch's name as <see cref="LogObjectName"/> accepts it (without a checksum), in log order and
    /// once, with at least one line and at least as many bytes as lines, the batches back to back from byte 0 and
    /// within a <see cref="long"/>; supersedes ranges in order, disjoint and within the batches; the data, first and
    /// last batch those its name says.
    /// </remarks>
    public static Manifest Parse(byte[] json, string key, LogObjectName name)
    {
        Manifest manifest = StoredJson.ReadObject(json, key, "a manifest", root =>
        {
            JsonElement format = Field(root, "format");
            return format.ValueKind != JsonValueKind.String ? throw WrongFormat(format, key)
                : format.ValueEquals(CurrentFormat) ? ParseFormat3(root, key)
                : format.ValueEquals(Format2) ? ParseFormat2(root, key)
                : format.ValueEquals(Format1) ? ParseFormat1(root, key)
                : throw WrongFormat(format, key);
        });
        Check(manifest, key, name);
        return manifest;
    }

    private static CorruptObjectException WrongFormat(JsonElement format, string key)
        => new(key, $"its 'format' is {Describe(format)}, not '{CurrentFormat}' (or '{Format2}' or '{Format1}')");

    /// <summary>What every format must satisfy: batches the log's, in order, once; data and range those of the manifest's name.</summary>
    private static void Check(Manifest manifest, string key, LogObjectName name)
    {
        string? previous = null;
        for (int i = 0; i < manifest.Batches.Count; i++)
        {
            ManifestBatch b = manifest.Batches[i];
            if (!LogObjectName.TryParse(b.Name, out LogObjectName parsed) || parsed.Kind != LogObjectKind.Batch || parsed.First != b.Name)
            {
                throw new CorruptObjectException(key, $"its 'batches[{i}]' names '{b.Name}', which is not a batch: {LogObjectName.WhyNotABatch(b.Name) ?? "it carries a checksum"}");
            }

            if (previous is not null && string.CompareOrdinal(previous, b.Name) >= 0)
            {
                throw new CorruptObjectException(key, $"its 'batches[{i}]', '{b.Name}', does not come after 'batches[{i - 1}]', '{previous}': batches are in log order, each once");
            }

            previous = b.Name;
        }

        if (manifest.Data != name.DataName)
        {
            throw new CorruptObjectException(key, $"its contents do not match its name: its 'data' is '{manifest.Data}', its name's '{name.DataName}'");
        }

        if (manifest.Batches[0].Name != name.First || manifest.Batches[^1].Name != name.Last)
        {
            throw new CorruptObjectException(key, $"its contents do not match its name: its batches run from '{manifest.Batches[0].Name}' to '{manifest.Batches[^1].Name}', its name's from '{name.First}' to '{name.Last}'");
        }
    }

    /// <summary>Microseconds since 1970, rounded up: a batch's stored time errs late, so a trim errs towards keeping it.</summary>
    private static long CeilingMicroseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks + TimeSpan.TicksPerMicrosecond - 1) / TimeSpan.TicksPerMicrosecond;

    private static bool IsMerged(string name) => LogObjectName.TryParse(name, out LogObjectName n) && n.Kind == LogObjectKind.Merged;

    /// <summary>Format 2's and 3's <c>supersedes</c>: ranges of own batch objects, and the merged objects read (their manifests with them).</summary>
    private static void ParseSupersedes(JsonElement root, Manifest manifest, string key)
    {
        JsonElement supersedes = Field(root, "supersedes");
        if (supersedes.ValueKind != JsonValueKind.Object)
        {
            throw new CorruptObjectException(key, $"its 'supersedes' is {Describe(supersedes)}, not an object");
        }

        ParseRanges(Field(supersedes, "batches"), "supersedes.batches", manifest.Batches.Count, key, (first, last) =>
        {
            for (int b = first; b <= last; b++)
            {
                manifest.Supersedes.Add(manifest.Batches[b].Name);
            }
        });

        int o = 0;
        foreach (JsonElement other in Array(Field(supersedes, "objects"), "supersedes.objects", key).EnumerateArray())
        {
            string objectName = String(other, $"supersedes.objects[{o++}]", key);
            manifest.Supersedes.Add(objectName);
            if (IsMerged(objectName))
            {
                manifest.Supersedes.Add(LogObjectName.ManifestFor(objectName));
            }
        }
    }

    /// <summary>Inclusive <c>[first, last]</c> index ranges into <paramref name="count"/> batches, in order and disjoint, so they name at most each batch once.</summary>
    private static void ParseRanges(JsonElement ranges, string field, int count, string key, Action<int, int> each)
    {
        int next = 0, r = 0;
        foreach (JsonElement range in Array(ranges, field, key).EnumerateArray())
        {
            string at = $"{field}[{r++}]";
            if (range.ValueKind != JsonValueKind.Array || range.GetArrayLength() != 2
                || range[0].ValueKind != JsonValueKind.Number || !range[0].TryGetInt32(out int first)
                || range[1].ValueKind != JsonValueKind.Number || !range[1].TryGetInt32(out int last)
                || first < next || last < first || last >= count)
            {
                throw new CorruptObjectException(key, $"its '{at}' is {Describe(range)}, not [first, last], indexes into the batches from {next} (after the range before it) to {count - 1}");
            }

            each(first, last);
            next = last + 1;
        }
    }

    private static JsonElement Array(JsonElement value, string at, string key)
        => value.ValueKind == JsonValueKind.Array ? value : throw new CorruptObjectException(key, $"its '{at}' is {Describe(value)}, not an array");

    private static JsonElement NonEmptyArray(JsonElement value, string at, string key)
        => Array(value, at, key).GetArrayLength() > 0 ? value : throw new CorruptObjectException(key, $"its '{at}' is empty: a merged object holds at least one batch");

    private static int Lines(JsonElement value, string at, string key)
        => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int lines) && lines > 0
            ? lines
            : throw new CorruptObjectException(key, $"its '{at}' (lines) is {Describe(value)}, not a whole number from 1 to {int.MaxValue}");

    private static long Length(JsonElement value, string at, string key)
        => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long length) && length > 0
            ? length
            : throw new CorruptObjectException(key, $"its '{at}' (length) is {Describe(value)}, not a whole number from 1 to {long.MaxValue}");

    private static uint Crc(JsonElement value, string at, string key)
        => value.ValueKind == JsonValueKind.Number && value.TryGetUInt32(out uint crc)
            ? crc
            : throw new CorruptObjectException(key, $"its '{at}' (CRC-32C) is {Describe(value)}, not a whole number from 0 to {uint.MaxValue}");

    /// <summary>A batch's stored time: microseconds since 1970, within what <see cref="DateTimeOffset"/> holds.</summary>
    private static DateTimeOffset Stored(JsonElement value, string at, string key)
        => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long us) && us >= 0 && us <= MaxStoredMicroseconds
            ? DateTimeOffset.UnixEpoch.AddTicks(us * TimeSpan.TicksPerMicrosecond)
            : throw new CorruptObjectException(key, $"its '{at}' (stored, in microseconds since 1970) is {Describe(value)}, not a whole number from 0 to {MaxStoredMicroseconds}");

    private static readonly long MaxStoredMicroseconds = (DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    /// <summary>Where <paramref name="batch"/> ends: it holds at least a byte a line, and the data stays within a <see cref="long"/>.</summary>
    private static long End(ManifestBatch batch, string at, string key)
    {
        if (batch.Lines > (batch.Raw ?? batch.Length))
        {
            throw new CorruptObjectException(key, $"its '{at}' has {batch.Lines} lines in {batch.Raw ?? batch.Length} bytes: every line ends with a newline");
        }

        return batch.Length <= long.MaxValue - batch.Offset
            ? batch.Offset + batch.Length
            : throw new CorruptObjectException(key, $"its 'batches' add up to more than {long.MaxValue} bytes at '{at}'");
    }
}
