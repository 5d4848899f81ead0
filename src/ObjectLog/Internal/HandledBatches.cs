using System.Globalization;
using System.Text.Json;

namespace ObjectLog.Internal;

/// <summary>
/// The batches a consumer has handled whole, within the look-back of the newest it handled: what a resumed tail must
/// not deliver again although it lists them. Kept as ranges of each writer's sequence numbers, so its size grows
/// with the writers, not with the batches (a writer numbers its batches 1, 2, 3, …; batches stored out of order leave
/// gaps that close as they arrive). Batches named without a writer and sequence (older versions) are kept by name.
/// Not thread-safe.
/// </summary>
internal sealed class HandledBatches
{
    private const int TimeDigits = 19;
    private const int WriterDigits = 16;
    private const int SequenceDigits = 12;
    private const string Start = "batch_";
    private const string End = ".jsonl";

    private readonly SortedDictionary<string, List<Run>> _byWriter = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> _byName = new(StringComparer.Ordinal);

    /// <summary>How many runs and names it holds (what its JSON costs).</summary>
    public int Count => _byWriter.Values.Sum(r => r.Count) + _byName.Count;

    /// <summary>Whether <paramref name="batch"/> (a batch's identity, as in <see cref="LogPosition.Batch"/>) was handled whole.</summary>
    public bool Contains(string batch)
    {
        if (TrySplit(batch, out string writer, out long sequence, out _))
        {
            return _byWriter.TryGetValue(writer, out List<Run>? runs) && runs.Exists(r => r.From <= sequence && sequence <= r.To);
        }

        return _byName.ContainsKey(batch);
    }

    /// <summary>Records <paramref name="batch"/> as handled whole.</summary>
    public void Add(string batch)
    {
        if (!TrySplit(batch, out string writer, out long sequence, out long time))
        {
            _byName[batch] = LogObjectName.Microseconds(LogObjectName.TimeOf(batch));
            return;
        }

        if (!_byWriter.TryGetValue(writer, out List<Run>? runs))
        {
            _byWriter[writer] = runs = [];
        }

        Add(runs, new Run(sequence, sequence, time));
    }

    /// <summary>Forgets what no resumed tail lists again: runs and names whose newest batch is before <paramref name="time"/>.</summary>
    public void ForgetBefore(DateTimeOffset time)
    {
        long us = LogObjectName.Microseconds(time);
        foreach (KeyValuePair<string, List<Run>> pair in _byWriter.ToList())
        {
            pair.Value.RemoveAll(r => r.NewestUs < us);
            if (pair.Value.Count == 0)
            {
                _byWriter.Remove(pair.Key);
            }
        }

        foreach (KeyValuePair<string, long> pair in _byName.ToList())
        {
            if (pair.Value < us)
            {
                _byName.Remove(pair.Key);
            }
        }
    }

    /// <summary>A copy that changes independently.</summary>
    public HandledBatches Clone()
    {
        var copy = new HandledBatches();
        foreach (KeyValuePair<string, List<Run>> pair in _byWriter)
        {
            copy._byWriter[pair.Key] = [.. pair.Value];
        }

        foreach (KeyValuePair<string, long> pair in _byName)
        {
            copy._byName[pair.Key] = pair.Value;
        }

        return copy;
    }

    /// <summary>Writes it as a JSON array: <c>{"writer","from","to","time_us"}</c> per run, <c>{"batch","time_us"}</c> per name.</summary>
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartArray();
        foreach (KeyValuePair<string, List<Run>> pair in _byWriter)
        {
            foreach (Run run in pair.Value)
            {
                json.WriteStartObject();
                json.WriteString("writer", pair.Key);
                json.WriteNumber("from", run.From);
                json.WriteNumber("to", run.To);
                json.WriteNumber("time_us", run.NewestUs);
                json.WriteEndObject();
            }
        }

        foreach (KeyValuePair<string, long> pair in _byName)
        {
            json.WriteStartObject();
            json.WriteString("batch", pair.Key);
            json.WriteNumber("time_us", pair.Value);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    /// <exception cref="FormatException">It is not such an array; the message says what is wrong.</exception>
    public static HandledBatches Read(JsonElement array)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("'handled' is not an array");
        }

        var handled = new HandledBatches();
        foreach (JsonElement item in array.EnumerateArray())
        {
            long time = item.TryGetProperty("time_us", out JsonElement t) && t.TryGetInt64(out long us) && us >= 0
                ? us
                : throw new FormatException("a 'handled' entry has no whole 'time_us' from 0");
            if (item.TryGetProperty("batch", out JsonElement b))
            {
                string name = b.GetString() ?? "";
                if (LogObjectName.WhyNotABatch(name) is { } problem)
                {
                    throw new FormatException($"a 'handled' entry's batch: {problem}");
                }

                handled._byName[name] = time;
                continue;
            }

            string writer = item.TryGetProperty("writer", out JsonElement w) ? w.GetString() ?? "" : "";
            if (writer.Length != WriterDigits || !writer.All(char.IsAsciiHexDigitLower))
            {
                throw new FormatException($"a 'handled' entry's writer, '{writer}', is not {WriterDigits} lowercase hex digits");
            }

            long from = Sequence(item, "from");
            long to = Sequence(item, "to");
            if (to < from)
            {
                throw new FormatException($"a 'handled' run ends ({to}) before it starts ({from})");
            }

            if (!handled._byWriter.TryGetValue(writer, out List<Run>? runs))
            {
                handled._byWriter[writer] = runs = [];
            }

            Add(runs, new Run(from, to, time));
        }

        return handled;
    }

    private static long Sequence(JsonElement item, string property)
        => item.TryGetProperty(property, out JsonElement v) && v.TryGetInt64(out long n) && n >= 0
            ? n
            : throw new FormatException($"a 'handled' run has no whole '{property}' from 0");

    /// <summary>Adds <paramref name="run"/>, merging it with the runs it touches or overlaps.</summary>
    private static void Add(List<Run> runs, Run run)
    {
        for (int i = runs.Count - 1; i >= 0; i--)
        {
            Run r = runs[i];
            if (r.From <= run.To + 1 && run.From <= r.To + 1)
            {
                run = new Run(Math.Min(r.From, run.From), Math.Max(r.To, run.To), Math.Max(r.NewestUs, run.NewestUs));
                runs.RemoveAt(i);
            }
        }

        int at = runs.FindIndex(r => r.From > run.From);
        runs.Insert(at < 0 ? runs.Count : at, run);
    }

    /// <summary>Splits <c>batch_{time}-{writer}-{sequence}.jsonl</c>; <see langword="false"/> for a name without writer and sequence.</summary>
    private static bool TrySplit(string batch, out string writer, out long sequence, out long timeUs)
    {
        writer = "";
        sequence = timeUs = 0;
        int writerAt = Start.Length + TimeDigits + 1;
        int sequenceAt = writerAt + WriterDigits + 1;
        if (batch.Length != sequenceAt + SequenceDigits + End.Length
            || !batch.StartsWith(Start, StringComparison.Ordinal)
            || batch[writerAt - 1] != '-' || batch[sequenceAt - 1] != '-'
            || !long.TryParse(batch.AsSpan(Start.Length, TimeDigits), NumberStyles.None, CultureInfo.InvariantCulture, out timeUs)
            || !long.TryParse(batch.AsSpan(sequenceAt, SequenceDigits), NumberStyles.None, CultureInfo.InvariantCulture, out sequence))
        {
            return false;
        }

        writer = batch.Substring(writerAt, WriterDigits);
        return true;
    }

    /// <summary>A writer's batches <paramref name="From"/> to <paramref name="To"/>, the newest of them named at <paramref name="NewestUs"/>.</summary>
    private readonly record struct Run(long From, long To, long NewestUs);
}
