using System.Text.Json;
using static ObjectLog.Internal.StoredJson;

namespace ObjectLog.Internal;

/// <summary>
/// Formats 1 and 2, still read because logs in users' stores hold them; format 2 is still written when a test or
/// benchmark asks for it. Format 2 lists each batch as an array of stem, lines, length, CRC-32C and stored time
/// (offsets implied); format 1 as an object with every name in full.
/// </summary>
internal sealed partial class Manifest
{
    private void WriteFormat2Batches(Utf8JsonWriter json)
    {
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
                    json.WriteNumberValue(CeilingMicroseconds(stored));
                }
            }

            json.WriteEndArray();
        }

        json.WriteEndArray();
    }

    private static Manifest ParseFormat2(JsonElement root, string key)
    {
        Manifest manifest = ParseBatchList(root, key, (entry, at, offset) =>
        {
            if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() is not (3 or 4 or 5))
            {
                throw new CorruptObjectException(key, $"its '{at}' is {Describe(entry)}, not [stem, lines, length, crc, stored]");
            }

            return new ManifestBatch
            {
                Name = BatchStart + String(entry[0], at + "[0]", key) + DataEnd,
                Lines = Lines(entry[1], at + "[1]", key),
                Length = Length(entry[2], at + "[2]", key),
                Crc = entry.GetArrayLength() > 3 ? Crc(entry[3], at + "[3]", key) : null,
                Stored = entry.GetArrayLength() > 4 ? Stored(entry[4], at + "[4]", key) : null,
                Offset = offset,
            };
        });
        ParseSupersedes(root, manifest, key);
        return manifest;
    }

    private static Manifest ParseFormat1(JsonElement root, string key)
    {
        Manifest manifest = ParseBatchList(root, key, (entry, at, offset) =>
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw new CorruptObjectException(key, $"its '{at}' is {Describe(entry)}, not an object with name, offset, length and lines");
            }

            JsonElement start = Field(entry, "offset");
            var batch = new ManifestBatch
            {
                Name = String(Field(entry, "name"), at + ".name", key),
                Offset = start.ValueKind == JsonValueKind.Number && start.TryGetInt64(out long value)
                    ? value
                    : throw new CorruptObjectException(key, $"its '{at}.offset' is {Describe(start)}, not a whole number"),
                Length = Length(Field(entry, "length"), at + ".length", key),
                Lines = Lines(Field(entry, "lines"), at + ".lines", key),
            };
            return batch.Offset == offset ? batch
                : throw new CorruptObjectException(key, $"its '{at}.offset' is {batch.Offset}, not {offset}, where the batch before it ends: batches lie back to back from byte 0");
        });

        foreach (JsonElement superseded in Array(Field(root, "supersedes"), "supersedes", key).EnumerateArray())
        {
            manifest.Supersedes.Add(String(superseded, $"supersedes[{manifest.Supersedes.Count}]", key));
        }

        return manifest;
    }

    /// <summary>
    /// Formats 1 and 2: the data's name and a non-empty array of batches, each read by <paramref name="batch"/> from
    /// its element, its place (for messages) and where the batch before it ended.
    /// </summary>
    private static Manifest ParseBatchList(JsonElement root, string key, Func<JsonElement, string, long, ManifestBatch> batch)
    {
        var manifest = new Manifest { Data = String(Field(root, "data"), "data", key) };
        JsonElement batches = NonEmptyArray(Field(root, "batches"), "batches", key);
        manifest.Batches = new List<ManifestBatch>(batches.GetArrayLength());
        long offset = 0;
        foreach (JsonElement entry in batches.EnumerateArray())
        {
            string at = $"batches[{manifest.Batches.Count}]";
            ManifestBatch parsed = batch(entry, at, offset);
            offset = End(parsed, at, key);
            manifest.Batches.Add(parsed);
        }

        return manifest;
    }
}
