using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>One batch (or a merged object read whole) and where a read plan reads it from.</summary>
/// <param name="First">The first batch it holds.</param>
/// <param name="Last">The last batch it holds.</param>
/// <param name="Key">The object it is read from; <see langword="null"/> for a batch in memory.</param>
/// <param name="ObjectSize">The size of that object.</param>
/// <param name="Entry">The batch's manifest entry, when read by its byte range.</param>
/// <param name="Memory">The bytes of a batch in memory.</param>
/// <param name="Crc">The CRC-32C of the whole object <paramref name="Key"/>, when its name carries one.</param>
/// <param name="StoredAt">For a batch object, when the store stamped it.</param>
internal readonly record struct PlanPiece(string First, string Last, string? Key, long ObjectSize, ManifestBatch? Entry, ReadOnlyMemory<byte> Memory, uint? Crc, DateTimeOffset? StoredAt);

/// <summary>The steps of read planning that need no store: which manifests a plan needs, and pieces joined into reads.</summary>
internal static class PlanPieces
{
    /// <summary>Marks the merged objects whose manifests are needed: all of them, or those whose range overlaps another object.</summary>
    public static void MarkOverlaps(List<CommittedMerge> committed, IEnumerable<string> batchNames, bool all)
    {
        if (all)
        {
            committed.ForEach(m => m.NeedsManifest = true);
            return;
        }

        // Sweep intervals by start; anything starting at or before the furthest end seen overlaps the interval that set it.
        var intervals = committed.Select(m => (m.Name.First, m.Name.Last, Owner: (CommittedMerge?)m))
            .Concat(batchNames.Select(n => (First: n, Last: n, Owner: (CommittedMerge?)null)))
            .OrderBy(i => i.First, StringComparer.Ordinal)
            .ToList();
        string? maxEnd = null;
        CommittedMerge? maxOwner = null;
        foreach ((string first, string last, CommittedMerge? owner) in intervals)
        {
            if (maxEnd is not null && string.CompareOrdinal(first, maxEnd) <= 0)
            {
                if (owner is not null)
                {
                    owner.NeedsManifest = true;
                }

                if (maxOwner is not null)
                {
                    maxOwner.NeedsManifest = true;
                }
            }

            if (maxEnd is null || string.CompareOrdinal(last, maxEnd) > 0)
            {
                maxEnd = last;
                maxOwner = owner;
            }
        }
    }

    /// <summary>Joins adjacent pieces of one merged object into one ranged read.</summary>
    public static List<ReadUnit> Coalesce(List<PlanPiece> pieces)
    {
        var units = new List<ReadUnit>(pieces.Count);
        int i = 0;
        while (i < pieces.Count)
        {
            PlanPiece p = pieces[i];
            if (p.Entry is null)
            {
                units.Add(new ReadUnit { FirstBatch = p.First, LastBatch = p.Last, Key = p.Key, Memory = p.Memory, Size = p.Key is null ? p.Memory.Length : p.ObjectSize, ObjectSize = p.ObjectSize, Crc = p.Crc, StoredAt = p.StoredAt });
                i++;
                continue;
            }

            var run = new List<ManifestBatch> { p.Entry };
            int j = i + 1;
            while (j < pieces.Count && pieces[j].Key == p.Key && pieces[j].Entry is { } next && next.Offset == run[^1].Offset + run[^1].Length)
            {
                run.Add(next);
                j++;
            }

            units.Add(ReadUnit.OfBatches(p.Key!, run, p.ObjectSize, p.Crc));
            i = j;
        }

        return units;
    }
}
