using ObjectLog.Internal;
using ObjectLog.Storage;

namespace ObjectLog;

/// <summary>
/// A stored object that a full read fetches now, and which of its bytes: what <see cref="AppendLog.ListLiveObjectsAsync"/>
/// returns, so that a tool reading the store directly (DuckDB, Spark, <c>jq</c>) reads each event exactly once.
/// </summary>
public sealed class LiveObject
{
    internal LiveObject(string key, ByteRange? range, long? events, long bytes)
    {
        Key = key;
        Range = range;
        Events = events;
        Bytes = bytes;
    }

    /// <summary>The object's key in the store (the log's prefix included).</summary>
    public string Key { get; }

    /// <summary>
    /// The part of the object that is live, or <see langword="null"/> when all of it is. A part is left when some of a
    /// merged object's batches are trimmed or are read from a preferred merged object; a tool that reads whole files
    /// would read those twice or read trimmed ones, so it should read only this range (or wait for a compaction,
    /// which rewrites such an object).
    /// </summary>
    public ByteRange? Range { get; }

    /// <summary>How many events the live bytes hold, when its manifest says so (merged objects); <see langword="null"/> for a batch object, whose count only reading it tells.</summary>
    public long? Events { get; }

    /// <summary>How many bytes a reader reads from it: the range's length, or the object's size.</summary>
    public long Bytes { get; }

    /// <summary>
    /// One entry per stored object in <paramref name="units"/>, in the order of their first unit, joining the units of
    /// one object: a merged object read around a late batch is read in several units that together cover it whole.
    /// Where they leave gaps, each run of adjacent units is one entry.
    /// </summary>
    internal static List<LiveObject> FromUnits(IEnumerable<ReadUnit> units)
    {
        var result = new List<LiveObject>();
        foreach (IGrouping<string, ReadUnit> byKey in units.Where(u => u.Key is not null).GroupBy(u => u.Key!, StringComparer.Ordinal))
        {
            List<ReadUnit> parts = [.. byKey.OrderBy(u => u.Range?.Offset ?? 0)];
            int i = 0;
            while (i < parts.Count)
            {
                ReadUnit first = parts[i];
                long start = first.Range?.Offset ?? 0;
                long end = first.Range?.End ?? first.Size;
                long? events = first.Batches?.Sum(b => (long)b.Lines);
                int j = i + 1;
                while (j < parts.Count && parts[j].Range is { } next && next.Offset == end)
                {
                    end = next.End;
                    events = parts[j].Batches is { } batches && events is { } sum ? sum + batches.Sum(b => (long)b.Lines) : null;
                    j++;
                }

                ByteRange? range = start == 0 && end == first.ObjectSize ? null : new ByteRange(start, end - start);
                result.Add(new LiveObject(byKey.Key, first.Range is null ? null : range, events, end - start));
                i = j;
            }
        }

        return result;
    }
}
