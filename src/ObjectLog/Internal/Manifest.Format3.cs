using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using static ObjectLog.Internal.StoredJson;

namespace ObjectLog.Internal;

/// <summary>
/// Format 3 (docs/format.md): the batches as columns, each value a delta from the one before where that makes it
/// small, and each column a run list, so what repeats (one line a batch, one writer, sequences counting up by one,
/// equal lengths) costs next to nothing. What is left a batch is what cannot repeat: its CRC-32C (4 bytes, as base64),
/// its length, the time since the batch before it, and when it was stored.
/// </summary>
/// <remarks>
/// A run list is a JSON array whose elements are a whole number (that value once) or <c>[value, times]</c> (that
/// value <c>times</c> times, at least once); the writer uses a run wherever it is shorter.
/// </remarks>
internal sealed partial class Manifest
{
    private const long MaxSequence = 999_999_999_999;

    /// <summary>Writes <see cref="Batches"/> as format 3's columns, from <c>count</c> to <c>stored</c>.</summary>
    private void WriteColumns(Utf8JsonWriter json)
    {
        var writers = new List<string>();
        var writerIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var writerColumn = new List<long>(Batches.Count);
        var times = new List<long>(Batches.Count);
        var sequences = new List<long>(Batches.Count);
        var lastSequence = new Dictionary<string, long>(StringComparer.Ordinal);
        var stored = new List<long>(Batches.Count);
        var unstored = new List<int>();
        var crcs = new byte[4 * Batches.Count];
        long previousTime = 0;
        long? previousStored = null;
        for (int i = 0; i < Batches.Count; i++)
        {
            ManifestBatch b = Batches[i];
            ReadOnlySpan<char> stem = b.Name.AsSpan(BatchStart.Length, b.Name.Length - BatchStart.Length - DataEnd.Length);
            long time = long.Parse(stem[..19], NumberStyles.None, CultureInfo.InvariantCulture);
            string writer = stem.Length > 19 ? stem.Slice(20, 16).ToString() : "";
            if (!writerIndex.TryGetValue(writer, out int w))
            {
                writerIndex[writer] = w = writers.Count;
                writers.Add(writer);
            }

            writerColumn.Add(w);
            times.Add(time - previousTime);
            previousTime = time;
            if (writer.Length > 0)
            {
                long sequence = long.Parse(stem[37..], NumberStyles.None, CultureInfo.InvariantCulture);
                sequences.Add(sequence - lastSequence.GetValueOrDefault(writer));
                lastSequence[writer] = sequence;
            }

            BinaryPrimitives.WriteUInt32BigEndian(crcs.AsSpan(4 * i), b.Crc ?? throw new InvalidOperationException($"Batch '{b.Name}' has no CRC-32C: format 3 records one for every batch."));
            if (b.Stored is { } at)
            {
                long us = CeilingMicroseconds(at);
                stored.Add(us - (previousStored ?? time));
                previousStored = us;
            }
            else
            {
                unstored.Add(i);
            }
        }

        json.WriteNumber("count", Batches.Count);
        json.WriteStartArray("writers");
        writers.ForEach(json.WriteStringValue);
        json.WriteEndArray();
        WriteRuns(json, "writer", writerColumn);
        WriteRuns(json, "time", times);
        WriteRuns(json, "seq", sequences);
        WriteRuns(json, "lines", Batches.Select(b => (long)b.Lines));
        WriteRuns(json, "length", Batches.Select(b => b.Length));
        if (LogObjectName.EncodingOfData(Data) != LogCompression.None)
        {
            WriteRuns(json, "raw", Batches.Select(b => b.Raw ?? throw new InvalidOperationException($"Batch '{b.Name}' has no raw length: compressed data records one for every batch.")));
        }

        json.WriteString("crc", Convert.ToBase64String(crcs));
        WriteRuns(json, "stored", stored);
        json.WriteStartArray("stored_unknown");
        WriteRanges(json, unstored);
        json.WriteEndArray();
    }

    /// <summary>Writes <paramref name="values"/> as a run list: a repeated value as <c>[value, times]</c> where that is shorter.</summary>
    private static void WriteRuns(Utf8JsonWriter json, string name, IEnumerable<long> values)
    {
        json.WriteStartArray(name);
        long value = 0;
        int times = 0;
        foreach (long v in values)
        {
            if (times > 0 && v != value)
            {
                WriteRun(json, value, times);
                times = 0;
            }

            value = v;
            times++;
        }

        if (times > 0)
        {
            WriteRun(json, value, times);
        }

        json.WriteEndArray();
    }

    private static void WriteRun(Utf8JsonWriter json, long value, int times)
    {
        int digits = Digits(value);
        if (times > 1 && 3 + digits + Digits(times) < (times * (digits + 1)) - 1)
        {
            json.WriteStartArray();
            json.WriteNumberValue(value);
            json.WriteNumberValue(times);
            json.WriteEndArray();
            return;
        }

        for (int i = 0; i < times; i++)
        {
            json.WriteNumberValue(value);
        }
    }

    private static int Digits(long value) => value.ToString(CultureInfo.InvariantCulture).Length;

    private static Manifest ParseFormat3(JsonElement root, string key)
    {
        var manifest = new Manifest { Data = String(Field(root, "data"), "data", key) };
        JsonElement countField = Field(root, "count");
        int count = countField.ValueKind == JsonValueKind.Number && countField.TryGetInt32(out int c) && c > 0
            ? c
            : throw new CorruptObjectException(key, $"its 'count' is {Describe(countField)}, not a whole number from 1 to {int.MaxValue}: a merged object holds at least one batch");

        // First the checksums, 4 bytes a batch: they bound the count by the manifest's own size before anything is
        // allocated for each batch.
        JsonElement crcField = Field(root, "crc");
        string crcText = String(crcField, "crc", key);
        byte[] crcs = [];
        if (crcText.Length != (((4L * count) + 2) / 3 * 4) || !Convert.TryFromBase64String(crcText, crcs = new byte[crcText.Length / 4 * 3], out int crcBytes) || crcBytes != 4 * count)
        {
            throw new CorruptObjectException(key, $"its 'crc' is {Describe(crcField)}, not the base64 of {count} ('count') CRC-32Cs of 4 bytes each, big-endian");
        }

        var writers = new List<string>();
        foreach (JsonElement writer in Array(Field(root, "writers"), "writers", key).EnumerateArray())
        {
            string at = $"writers[{writers.Count}]";
            string id = String(writer, at, key);
            if (!(id.Length == 0 || (id.Length == 16 && id.All(char.IsAsciiHexDigitLower))))
            {
                throw new CorruptObjectException(key, $"its '{at}' is {Describe(writer)}, not 16 lower-case hex digits (a writer id) or \"\" (names without one)");
            }

            writers.Add(id);
        }

        var writerOf = new int[count];
        int n = 0;
        ReadRuns(root, "writer", count, key, (value, at) => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int w) && w >= 0 && w < writers.Count
            ? w
            : throw new CorruptObjectException(key, $"its '{at}' (writer) is {Describe(value)}, not an index into 'writers', from 0 to {writers.Count - 1}"), w => writerOf[n++] = w);
        int withSequences = writerOf.Count(w => writers[w].Length > 0);

        var times = new long[count];
        n = 0;
        long time = 0;
        ReadRuns(root, "time", count, key, (value, at) => Whole(value, at, "time, in µs after the batch before it", key), delta => times[n++] = time = Add(time, delta, LogObjectName.MaxMicroseconds, "time", "a batch's time, in µs since 1970", key));

        var sequences = new long[count];
        var lastSequence = new Dictionary<int, long>();
        n = 0;
        ReadRuns(root, "seq", withSequences, key, (value, at) => Whole(value, at, "sequence, after the writer's one before it", key), delta =>
        {
            while (writers[writerOf[n]].Length == 0)
            {
                n++; // a name without a writer has no sequence
            }

            sequences[n] = lastSequence[writerOf[n]] = Add(lastSequence.GetValueOrDefault(writerOf[n]), delta, MaxSequence, "seq", "a sequence", key);
            n++;
        });

        var lines = new int[count];
        n = 0;
        ReadRuns(root, "lines", count, key, (value, at) => Lines(value, at, key), l => lines[n++] = l);
        var lengths = new long[count];
        n = 0;
        ReadRuns(root, "length", count, key, (value, at) => Length(value, at, key), l => lengths[n++] = l);
        long[]? raws = null;
        if (LogObjectName.EncodingOfData(manifest.Data) != LogCompression.None)
        {
            // Compressed data: each batch's frame decodes to exactly this many bytes, the bound its read holds it to.
            raws = new long[count];
            n = 0;
            ReadRuns(root, "raw", count, key, (value, at) => Length(value, at, key), l => raws[n++] = l);
        }

        var hasStored = new bool[count];
        System.Array.Fill(hasStored, true);
        int withStored = count;
        ParseRanges(Field(root, "stored_unknown"), "stored_unknown", count, key, (first, last) =>
        {
            System.Array.Fill(hasStored, false, first, last - first + 1);
            withStored -= last - first + 1;
        });

        var stored = new long[count];
        long? previousStored = null;
        n = 0;
        ReadRuns(root, "stored", withStored, key, (value, at) => Whole(value, at, "stored time, in µs after the batch before it", key), delta =>
        {
            while (!hasStored[n])
            {
                n++;
            }

            stored[n] = (long)(previousStored = Add(previousStored ?? times[n], delta, MaxStoredMicroseconds, "stored", "a stored time, in µs since 1970", key));
            n++;
        });

        manifest.Batches = new List<ManifestBatch>(count);
        long offset = 0;
        for (int i = 0; i < count; i++)
        {
            string writer = writers[writerOf[i]];
            var batch = new ManifestBatch
            {
                Name = writer.Length == 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{BatchStart}{times[i]:D19}{DataEnd}")
                    : string.Create(CultureInfo.InvariantCulture, $"{BatchStart}{times[i]:D19}-{writer}-{sequences[i]:D12}{DataEnd}"),
                Lines = lines[i],
                Length = lengths[i],
                Raw = raws?[i],
                Crc = BinaryPrimitives.ReadUInt32BigEndian(crcs.AsSpan(4 * i)),
                Stored = hasStored[i] ? DateTimeOffset.UnixEpoch.AddTicks(stored[i] * TimeSpan.TicksPerMicrosecond) : null,
                Offset = offset,
            };
            offset = End(batch, $"batch {i}, {batch.Name}", key);
            manifest.Batches.Add(batch);
        }

        ParseSupersedes(root, manifest, key);
        return manifest;
    }

    /// <summary>
    /// Reads the run list <paramref name="field"/> of <paramref name="root"/>, which must hold exactly
    /// <paramref name="count"/> values, each checked by <paramref name="read"/>, and hands them to <paramref name="each"/> in order.
    /// </summary>
    private static void ReadRuns<T>(JsonElement root, string field, int count, string key, Func<JsonElement, string, T> read, Action<T> each)
    {
        int total = 0, e = 0;
        foreach (JsonElement element in Array(Field(root, field), field, key).EnumerateArray())
        {
            string at = $"{field}[{e++}]";
            JsonElement value = element;
            int times = 1;
            if (element.ValueKind == JsonValueKind.Array)
            {
                if (element.GetArrayLength() != 2 || element[1].ValueKind != JsonValueKind.Number || !element[1].TryGetInt32(out times) || times < 1)
                {
                    throw new CorruptObjectException(key, $"its '{at}' is {Describe(element)}, not a whole number or [value, times] with times from 1 to {int.MaxValue}");
                }

                value = element[0];
                at += "[0]";
            }

            if (times > count - total)
            {
                throw new CorruptObjectException(key, $"its '{field}' holds more than {count} values at '{at}': it has one for each of {count} batches");
            }

            T v = read(value, at);
            for (int i = 0; i < times; i++)
            {
                each(v);
            }

            total += times;
        }

        if (total != count)
        {
            throw new CorruptObjectException(key, $"its '{field}' holds {total} values, not {count}: it has one for each of {count} batches");
        }
    }

    private static long Whole(JsonElement value, string at, string what, string key)
        => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long v)
            ? v
            : throw new CorruptObjectException(key, $"its '{at}' ({what}) is {Describe(value)}, not a whole number from {long.MinValue} to {long.MaxValue}");

    /// <summary><paramref name="from"/> plus <paramref name="delta"/>, which must lie from 0 to <paramref name="max"/>.</summary>
    private static long Add(long from, long delta, long max, string field, string what, string key)
        => delta >= -from && delta <= max - from
            ? from + delta
            : throw new CorruptObjectException(key, $"its '{field}' leads to {what} outside 0 to {max}: {from} plus {delta}");
}
