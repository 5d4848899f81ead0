using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// One listing of a log prefix turned into a read plan: which object (or byte range) each batch is read from,
/// in log order, each batch exactly once; and, for compaction, which objects are garbage.
/// </summary>
/// <remarks>
/// A batch is held by its own batch object and by every committed merged object (merged data whose manifest is
/// listed) whose manifest names it. Merged objects are preferred to batch objects, and among merged objects the
/// one holding more batches, then the lower name; each batch is read from its most preferred holder. A merged
/// object's manifest is fetched only when its key range overlaps another object's, since otherwise it holds
/// exactly the batches in its range and can be read whole, or when it is larger than a read part
/// (<see cref="AppendLogOptions.ReadPartBytes"/>), so every unit read in parts knows its events' batches.
/// </remarks>
internal sealed class LogSnapshot
{
    private LogSnapshot(List<ReadUnit> units, List<string> garbage, HashSet<string> sources, HashSet<string> partial)
    {
        Units = units;
        Garbage = garbage;
        Sources = sources;
        Partial = partial;
    }

    /// <summary>The reads to make, in log order.</summary>
    public List<ReadUnit> Units { get; }

    /// <summary>Keys of stored objects the plan reads: the objects a reader reads now.</summary>
    public HashSet<string> Sources { get; }

    /// <summary>Sources some of whose batches are read from a more preferred object: merging them alone would not supersede them.</summary>
    public HashSet<string> Partial { get; }

    /// <summary>Keys safe to delete (computed only when asked for), in the order to delete them.</summary>
    public List<string> Garbage { get; }

    public static async Task<LogSnapshot> LoadAsync(
        IObjectStore store,
        string logPrefix,
        ManifestCache manifests,
        IReadOnlyList<PendingBatch> pending,
        Func<string, bool>? includeBatch,
        bool forCompaction,
        AppendLogOptions options,
        CancellationToken cancellationToken,
        ListingPrefetch? prefetch = null)
    {
        var batches = new Dictionary<string, ObjectMeta>(StringComparer.Ordinal);
        var mergedData = new Dictionary<string, (LogObjectName Name, ObjectMeta Meta)>(StringComparer.Ordinal);
        var manifestMetas = new Dictionary<string, (LogObjectName Name, ObjectMeta Meta)>(StringComparer.Ordinal);
        await foreach (ObjectMeta meta in store.ListAsync(logPrefix, null, cancellationToken).ConfigureAwait(false))
        {
            string name = meta.Key[logPrefix.Length..];
            if (name.Contains('/', StringComparison.Ordinal) || !LogObjectName.TryParse(name, out LogObjectName parsed))
            {
                continue; // not ObjectLog's: ignored, never touched
            }

            prefetch?.OnListed(meta, parsed);
            switch (parsed.Kind)
            {
                case LogObjectKind.Batch:
                    batches[name] = meta;
                    break;
                case LogObjectKind.Merged:
                    mergedData[name] = (parsed, meta);
                    break;
                case LogObjectKind.Manifest:
                    manifestMetas[parsed.DataName] = (parsed, meta);
                    break;
            }
        }

        DateTimeOffset now = options.TimeProvider.GetUtcNow();
        var garbage = new List<string>();
        var committed = new List<MergedObject>();
        foreach ((string dataName, (LogObjectName name, ObjectMeta meta)) in mergedData)
        {
            if (manifestMetas.TryGetValue(dataName, out var manifest))
            {
                committed.Add(new MergedObject(name, meta, manifest.Meta));
            }
            else if (forCompaction && now - meta.LastModified >= options.AbandonedMergeGracePeriod)
            {
                garbage.Add(meta.Key); // a compaction that never committed, long ago
            }
        }

        if (forCompaction)
        {
            // A manifest whose data is gone was superseded; without its data it means nothing.
            garbage.AddRange(manifestMetas.Where(m => !mergedData.ContainsKey(m.Key)).Select(m => m.Value.Meta.Key));
        }

        bool loadAll = forCompaction || includeBatch is not null; // a filter needs every merged object split by batch
        MarkOverlaps(committed, batches.Keys.Concat(pending.Select(p => p.Name)), loadAll);
        foreach (MergedObject m in committed.Where(m => m.DataMeta.Size > options.ReadPartBytes))
        {
            // Read in parts, so a read can stop inside it (an object vanishing under a later part); it resumes
            // at a batch and line, so it must know each event's batch. One small GET beside several large ones.
            m.NeedsManifest = true;
        }

        await Parallel.ForEachAsync(
            committed.Where(m => m.NeedsManifest),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (m, ct) => m.Manifest = await manifests.GetAsync(m.ManifestMeta.Key, m.Name with { Kind = LogObjectKind.Manifest }, ct).ConfigureAwait(false)).ConfigureAwait(false);

        // Most preferred first: more batches, then lower name. Merged objects read whole have no overlaps, so their place is moot.
        committed.Sort(static (a, b) =>
        {
            int byCount = (b.Manifest?.Batches.Count ?? 0).CompareTo(a.Manifest?.Batches.Count ?? 0);
            return byCount != 0 ? byCount : string.CompareOrdinal(a.Name.DataName, b.Name.DataName);
        });

        var pieces = new List<Piece>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        var partial = new HashSet<string>(StringComparer.Ordinal);
        foreach (MergedObject m in committed)
        {
            if (m.Manifest is null)
            {
                pieces.Add(new Piece(m.Name.First, m.Name.Last, m.DataMeta.Key, m.DataMeta.Size, null, default));
                continue;
            }

            foreach (ManifestBatch b in m.Manifest.Batches)
            {
                if (covered.Add(b.Name))
                {
                    pieces.Add(new Piece(b.Name, b.Name, m.DataMeta.Key, m.DataMeta.Size, b, default));
                }
                else
                {
                    partial.Add(m.DataMeta.Key);
                }
            }
        }

        foreach ((string name, ObjectMeta meta) in batches)
        {
            if (covered.Add(name))
            {
                pieces.Add(new Piece(name, name, meta.Key, meta.Size, null, default));
            }
        }

        foreach (PendingBatch p in pending)
        {
            // A pending batch may have landed since the copy was taken; then the stored one counts. (Pending names
            // took part in the overlap sweep, so no merged object read whole can hold one.)
            if (!covered.Contains(p.Name))
            {
                covered.Add(p.Name);
                pieces.Add(new Piece(p.Name, p.Name, null, 0, null, p.Data));
            }
        }

        if (includeBatch is not null)
        {
            pieces.RemoveAll(p => !includeBatch(p.First));
        }

        pieces.Sort(static (a, b) => string.CompareOrdinal(a.First, b.First));
        List<ReadUnit> units = Coalesce(pieces);

        if (forCompaction)
        {
            AddSuperseded(committed, batches, now, options.SupersededGracePeriod, garbage);
        }

        var sources = new HashSet<string>(units.Where(u => u.Key is not null).Select(u => u.Key!), StringComparer.Ordinal);
        return new LogSnapshot(units, garbage, sources, partial);
    }

    /// <summary>Marks the merged objects whose manifests are needed: all of them, or those whose range overlaps another object.</summary>
    private static void MarkOverlaps(List<MergedObject> committed, IEnumerable<string> batchNames, bool all)
    {
        if (all)
        {
            committed.ForEach(m => m.NeedsManifest = true);
            return;
        }

        // Sweep intervals by start; anything starting at or before the furthest end seen overlaps the interval that set it.
        var intervals = committed.Select(m => (m.Name.First, m.Name.Last, Owner: (MergedObject?)m))
            .Concat(batchNames.Select(n => (First: n, Last: n, Owner: (MergedObject?)null)))
            .OrderBy(i => i.First, StringComparer.Ordinal)
            .ToList();
        string? maxEnd = null;
        MergedObject? maxOwner = null;
        foreach ((string first, string last, MergedObject? owner) in intervals)
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

    /// <summary>Batch objects held by a committed merged object, and merged objects wholly held by a more preferred one, once the holder's commit is older than the grace period.</summary>
    private static void AddSuperseded(List<MergedObject> committed, Dictionary<string, ObjectMeta> batches, DateTimeOffset now, TimeSpan grace, List<string> garbage)
    {
        var oldestHolder = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (MergedObject m in committed)
        {
            foreach (ManifestBatch b in m.Manifest!.Batches)
            {
                if (!oldestHolder.TryGetValue(b.Name, out DateTimeOffset t) || m.ManifestMeta.LastModified < t)
                {
                    oldestHolder[b.Name] = m.ManifestMeta.LastModified;
                }
            }
        }

        foreach ((string name, ObjectMeta meta) in batches)
        {
            if (oldestHolder.TryGetValue(name, out DateTimeOffset committedAt) && now - committedAt >= grace)
            {
                garbage.Add(meta.Key);
            }
        }

        var held = committed.Select(m => m.Manifest!.Batches.Select(b => b.Name).ToHashSet(StringComparer.Ordinal)).ToList();
        for (int x = 0; x < committed.Count; x++)
        {
            for (int y = 0; y < x; y++)
            {
                // committed is in preference order, so y is preferred to x.
                if (held[y].IsSupersetOf(held[x]) && now - committed[y].ManifestMeta.LastModified >= grace)
                {
                    garbage.Add(committed[x].DataMeta.Key); // data first: a manifest without data is ignored
                    garbage.Add(committed[x].ManifestMeta.Key);
                    break;
                }
            }
        }
    }

    /// <summary>Joins adjacent pieces of one merged object into one ranged read.</summary>
    private static List<ReadUnit> Coalesce(List<Piece> pieces)
    {
        var units = new List<ReadUnit>(pieces.Count);
        int i = 0;
        while (i < pieces.Count)
        {
            Piece p = pieces[i];
            if (p.Entry is null)
            {
                units.Add(new ReadUnit { FirstBatch = p.First, LastBatch = p.Last, Key = p.Key, Memory = p.Memory, Size = p.Key is null ? p.Memory.Length : p.ObjectSize });
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

            long start = run[0].Offset;
            long end = run[^1].Offset + run[^1].Length;
            units.Add(new ReadUnit
            {
                FirstBatch = run[0].Name,
                LastBatch = run[^1].Name,
                Key = p.Key,
                Range = start == 0 && end == p.ObjectSize ? null : new ByteRange(start, end - start),
                Batches = run,
                Size = end - start,
            });
            i = j;
        }

        return units;
    }

    private sealed class MergedObject(LogObjectName name, ObjectMeta dataMeta, ObjectMeta manifestMeta)
    {
        public LogObjectName Name { get; } = name;

        public ObjectMeta DataMeta { get; } = dataMeta;

        public ObjectMeta ManifestMeta { get; } = manifestMeta;

        public bool NeedsManifest { get; set; }

        public Manifest? Manifest { get; set; }
    }

    private readonly record struct Piece(string First, string Last, string? Key, long ObjectSize, ManifestBatch? Entry, ReadOnlyMemory<byte> Memory);
}
