namespace ObjectLog.Cli;

/// <summary>The objects under a log's prefix by state (see docs/format.md, "Live, superseded, uncommitted, garbage"); the counts add up to <see cref="Total"/>.</summary>
/// <param name="Total">Every object.</param>
/// <param name="Bytes">Their bytes: what storage is billed for.</param>
/// <param name="DataBytes">The bytes of the live batch and merged objects: the events as stored (compressed, if they are), which a full read fetches.</param>
/// <param name="BatchObjects">Live batch objects: batches no merged object holds, which a full read fetches.</param>
/// <param name="MergedObjects">Live merged objects: committed, and read.</param>
/// <param name="Uncommitted">Merged data (and its end marker) without a manifest that counts, young enough that a compaction may be committing it; invisible to readers.</param>
/// <param name="Other">Live manifests, end markers and trim records.</param>
/// <param name="Foreign">Objects that are not ObjectLog's (ignored by readers).</param>
/// <param name="Superseded">Batch and merged objects (with their manifests and markers) whose batches committed merged objects hold: read from there, deleted by a compaction.</param>
/// <param name="Garbage">Everything else a compaction or <c>verify --repair</c> deletes: merged data never committed, lone manifests and end markers, outdated or invalid trim records, what a trim hides.</param>
internal sealed record ObjectCounts(int Total, long Bytes, long DataBytes, int BatchObjects, int MergedObjects, int Uncommitted, int Other, int Foreign, int Superseded, int Garbage)
{
    public static ObjectCounts Of(IReadOnlyList<StoredObject> objects)
    {
        int Count(StoredObjectState state, StoredObjectKind? kind = null) => objects.Count(o => o.State == state && (kind is null || o.Kind == kind));
        static bool IsLiveData(StoredObject o) => o is { State: StoredObjectState.Live, Kind: StoredObjectKind.Batch or StoredObjectKind.Merged };
        int batches = Count(StoredObjectState.Live, StoredObjectKind.Batch);
        int merged = Count(StoredObjectState.Live, StoredObjectKind.Merged);
        return new ObjectCounts(
            objects.Count,
            objects.Sum(o => o.Meta.Size),
            objects.Where(IsLiveData).Sum(o => o.Meta.Size),
            batches,
            merged,
            Count(StoredObjectState.Uncommitted),
            Count(StoredObjectState.Live) - batches - merged,
            Count(StoredObjectState.Foreign),
            Count(StoredObjectState.Superseded),
            Count(StoredObjectState.Garbage));
    }
}
