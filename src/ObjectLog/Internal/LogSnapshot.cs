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

    /// <summary>The trim records listed, valid or not (see <see cref="TrimRecord.IsValid"/>).</summary>
    public IReadOnlyList<TrimRecord> Trims { get; private init; } = [];

    /// <summary>Manifests listed whose merged data was not (superseded and collected, or collected before its commit landed).</summary>
    public List<string> ManifestsWithoutData { get; } = [];

    /// <summary>Keys of merged objects that still hold trimmed bytes: rewriting one alone is worth it (retention), unlike any other single object.</summary>
    public HashSet<string> HoldsTrimmed { get; } = new(StringComparer.Ordinal);

    /// <summary>Committed merged objects (data names) whose end marker was not listed: a compaction writes them (logs from before end markers).</summary>
    public List<string> MissingMarkers { get; } = [];

    /// <summary>Every object the listing returned, the log's or not, by key (kept only when garbage is computed).</summary>
    public Dictionary<string, ObjectMeta> Listed { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Keys of batch and merged objects (with a merged object's manifest and end marker) whose batches a committed
    /// merged object holds and reads come from elsewhere: collected once the holder's commit is older than
    /// <see cref="AppendLogOptions.SupersededGracePeriod"/> (computed only when garbage is).
    /// </summary>
    public HashSet<string> Superseded { get; } = new(StringComparer.Ordinal);

    /// <summary>Lists the log and plans a read.</summary>
    /// <remarks>
    /// <c>listAfter</c> is where the listing starts (a <see cref="LogObjectName.FloorAt"/> string), or
    /// <see langword="null"/> for the whole prefix. Every batch at or after it is still found: in its own object, in
    /// merged data that starts after it, or through the end marker of merged data that starts before it. The filter
    /// <c>includeBatch</c> must exclude every batch before it.
    /// </remarks>
    public static async Task<LogSnapshot> LoadAsync(
        IObjectStore store,
        string logPrefix,
        ManifestCache manifests,
        IReadOnlyList<PendingBatch> pending,
        Func<string, bool>? includeBatch,
        bool forCompaction,
        AppendLogOptions options,
        CancellationToken cancellationToken,
        ListingPrefetch? prefetch = null,
        string? listAfter = null,
        DateTimeOffset? now = null)
    {
        if (forCompaction && now is null)
        {
            throw new ArgumentException("Choosing garbage needs the store's time, read before the listing.", nameof(now));
        }

        var batches = new Dictionary<string, ObjectMeta>(StringComparer.Ordinal);
        var mergedData = new Dictionary<string, (LogObjectName Name, ObjectMeta Meta)>(StringComparer.Ordinal);
        var manifestMetas = new Dictionary<string, (LogObjectName Name, ObjectMeta Meta)>(StringComparer.Ordinal);
        var markers = new Dictionary<string, (LogObjectName Name, ObjectMeta Meta)>(StringComparer.Ordinal);
        var trims = new Dictionary<string, (LogObjectName Name, ObjectMeta Meta)>(StringComparer.Ordinal);
        var listed = new Dictionary<string, ObjectMeta>(StringComparer.Ordinal);
        await foreach (ObjectMeta meta in store.ListAsync(logPrefix, listAfter is null ? null : logPrefix + listAfter, cancellationToken).ConfigureAwait(false))
        {
            if (forCompaction)
            {
                listed[meta.Key] = meta;
            }

            string name = meta.Key[logPrefix.Length..];
            if (name.Contains('/', StringComparison.Ordinal) || !LogObjectName.TryParse(name, out LogObjectName parsed))
            {
                continue; // not ObjectLog's: ignored, never touched
            }

            prefetch?.OnListed(meta, parsed);
            switch (parsed.Kind)
            {
                case LogObjectKind.Batch:
                    batches[parsed.First] = meta; // by its identity: the key may carry a checksum
                    break;
                case LogObjectKind.Merged:
                    mergedData[name] = (parsed, meta);
                    break;
                case LogObjectKind.Manifest:
                    manifestMetas[parsed.DataName] = (parsed, meta);
                    break;
                case LogObjectKind.EndMarker:
                    markers[parsed.DataName] = (parsed, meta);
                    break;
                case LogObjectKind.Trim:
                    trims[name] = (parsed, meta);
                    break;
            }
        }

        if (!store.ListsInKeyOrder)
        {
            // Trim records sort after every batch, so a listing in key order reaches them last: if none was there
            // then, no trim had begun deleting while the batches were listed. A store that lists in any order gets
            // that guarantee from a second, small listing made after the first one ended.
            await foreach (ObjectMeta meta in store.ListAsync(logPrefix + LogObjectName.TrimPrefix, null, cancellationToken).ConfigureAwait(false))
            {
                string name = meta.Key[logPrefix.Length..];
                if (LogObjectName.TryParse(name, out LogObjectName parsed) && parsed.Kind == LogObjectKind.Trim)
                {
                    trims[name] = (parsed, meta);
                    if (forCompaction)
                    {
                        listed[meta.Key] = meta;
                    }
                }
            }
        }

        var trimRecords = trims.Values.Select(t => new TrimRecord(t.Meta.Key, t.Name.First, t.Meta.LastModified)).ToList();
        var validTrims = trimRecords.Where(t => t.IsValid).ToList();
        string? maxFloor = validTrims.Count == 0 ? null : validTrims.Select(t => t.Floor).Max(StringComparer.Ordinal);

        // A trim hides a batch named before its cutoff and stored before the trim was: never what was stored after it.
        bool Hidden(string batchName, DateTimeOffset storedAt)
        {
            foreach (TrimRecord t in validTrims)
            {
                if (string.CompareOrdinal(batchName, t.Floor) < 0 && storedAt < t.StoredAt)
                {
                    return true;
                }
            }

            return false;
        }

        // Whether a trim may hide some of the batches from this name on (so a merged object's manifest is needed).
        bool MaybeHidden(string batchName) => maxFloor is not null && string.CompareOrdinal(batchName, maxFloor) < 0;

        // Every batch a committed merged object holds was stored before its manifest was.
        bool WhollyHidden(LogObjectName name, ObjectMeta manifest) => Hidden(name.Last, manifest.LastModified);

        DateTimeOffset storeNow = now ?? default;
        TimeSpan abandonedGrace = options.AbandonedMergeGracePeriod > Compactor.CommitWindow ? options.AbandonedMergeGracePeriod : Compactor.CommitWindow;
        var garbage = new List<string>();
        var committed = new List<MergedObject>();
        var missingMarkers = new List<string>();
        foreach ((string dataName, (LogObjectName name, ObjectMeta meta)) in mergedData)
        {
            if (manifestMetas.TryGetValue(dataName, out var manifest) && Compactor.IsTimelyCommit(meta, manifest.Meta))
            {
                committed.Add(new MergedObject(name, meta, manifest.Meta));
                if (!markers.ContainsKey(dataName))
                {
                    missingMarkers.Add(dataName);
                }
            }
            else if (forCompaction && storeNow - meta.LastModified >= abandonedGrace)
            {
                // A compaction that never committed (or committed too late to count), long ago by the store's clock:
                // no commit of it can count any more (see Compactor.CommitWindow), so nothing can come to depend on it.
                garbage.Add(meta.Key);
                if (manifest.Meta is { } late)
                {
                    garbage.Add(late.Key); // after the data
                }

                if (markers.TryGetValue(dataName, out var marker))
                {
                    garbage.Add(marker.Meta.Key); // deleted after the data
                }
            }
        }

        foreach ((string dataName, (LogObjectName name, ObjectMeta meta)) in markers)
        {
            if (mergedData.ContainsKey(dataName))
            {
                continue;
            }

            if (listAfter is not null && string.CompareOrdinal(dataName, listAfter) <= 0)
            {
                {
                    // Merged data that starts before the listing: found by its marker. Its size and whether it is
                    // committed come from its manifest (the marker is written before the manifest, so it may not be).
                    committed.Add(new MergedObject(name, new ObjectMeta(logPrefix + dataName, 0, meta.LastModified), new ObjectMeta(logPrefix + LogObjectName.ManifestFor(dataName), 0, meta.LastModified)) { ViaMarker = true });
                }
            }
            else if (forCompaction && (storeNow - meta.LastModified >= abandonedGrace || !await DataExistsAsync(store, logPrefix + dataName, cancellationToken).ConfigureAwait(false)))
            {
                // A lone marker: its data is gone (superseded and collected by a compaction killed before its
                // markers, or a compaction that never committed), and gone data never comes back (its name is new to
                // each merge), so no commit of it can count. The listing may have missed the data of a compaction
                // running now, whose marker followed its data: a young marker's data is looked for once more.
                garbage.Add(meta.Key);
            }
        }

        var manifestsWithoutData = manifestMetas.Where(m => !mergedData.ContainsKey(m.Key)).Select(m => m.Value.Meta.Key).ToList();
        if (forCompaction)
        {
            // A manifest whose data is gone was superseded; without its data it means nothing.
            garbage.AddRange(manifestsWithoutData);

            // Everything a trim hides is gone for readers: its bytes are garbage.
            garbage.AddRange(batches.Where(b => Hidden(b.Key, b.Value.LastModified)).Select(b => b.Value.Key));
            foreach (MergedObject m in committed.Where(m => !m.ViaMarker && WhollyHidden(m.Name, m.ManifestMeta)))
            {
                garbage.Add(m.DataMeta.Key);
                garbage.Add(m.ManifestMeta.Key);
                garbage.Add(logPrefix + LogObjectName.EndMarkerFor(m.Name.DataName));
            }

            // A trim record says nothing new once a later cutoff recorded no earlier has been there long enough for
            // every listing that began before it to have ended. One that is not valid hides nothing: it is garbage.
            garbage.AddRange(trimRecords
                .Where(t => !t.IsValid || validTrims.Any(u => string.CompareOrdinal(u.Floor, t.Floor) > 0 && u.StoredAt >= t.StoredAt && storeNow - u.StoredAt >= options.AbandonedMergeGracePeriod))
                .Select(t => t.Key));
        }

        committed.RemoveAll(m => !m.ViaMarker && WhollyHidden(m.Name, m.ManifestMeta));
        if (validTrims.Count > 0)
        {
            // This writer's unstored batches are not hidden: they will be stored after every trim listed now.
            batches = batches.Where(b => !Hidden(b.Key, b.Value.LastModified)).ToDictionary(StringComparer.Ordinal);
        }

        bool loadAll = forCompaction || includeBatch is not null; // a filter needs every merged object split by batch
        MarkOverlaps(committed, batches.Keys.Concat(pending.Select(p => p.Name)), loadAll);
        foreach (MergedObject m in committed.Where(m => m.DataMeta.Size > options.ReadPartBytes || m.ViaMarker || MaybeHidden(m.Name.First)))
        {
            // Read in parts, so a read can stop inside it (an object vanishing under a later part); it resumes
            // at a batch and line, so it must know each event's batch. One small GET beside several large ones.
            // Found by its marker, its manifest says whether it is committed; straddling the cutoff, which
            // batches are left.
            m.NeedsManifest = true;
        }

        await Parallel.ForEachAsync(
            committed.Where(m => m.NeedsManifest),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (m, ct) =>
            {
                try
                {
                    m.Manifest = await manifests.GetAsync(m.ManifestMeta.Key, m.Name with { Kind = LogObjectKind.Manifest }, ct).ConfigureAwait(false);
                }
                catch (ObjectNotFoundException) when (m.ViaMarker)
                {
                    // Not committed (yet), or superseded and collected: either way it holds nothing for readers.
                }
            }).ConfigureAwait(false);
        committed.RemoveAll(m => m.ViaMarker && m.Manifest is null);
        foreach (MergedObject m in committed)
        {
            if (m.ViaMarker)
            {
                m.DataMeta = m.DataMeta with { Size = m.Manifest!.Batches[^1].Offset + m.Manifest.Batches[^1].Length };
            }

            m.Held = m.Manifest?.Batches.Where(b => !Hidden(b.Name, b.Stored ?? DateTimeOffset.MinValue)).ToList();
        }

        // Most preferred first: more batches, then lower name. Merged objects read whole have no overlaps, so their place is moot.
        committed.Sort(static (a, b) =>
        {
            int byCount = (b.Held?.Count ?? 0).CompareTo(a.Held?.Count ?? 0);
            return byCount != 0 ? byCount : string.CompareOrdinal(a.Name.DataName, b.Name.DataName);
        });

        var pieces = new List<Piece>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        var partial = new HashSet<string>(StringComparer.Ordinal);
        foreach (MergedObject m in committed)
        {
            if (m.Held is null)
            {
                pieces.Add(new Piece(m.Name.First, m.Name.Last, m.DataMeta.Key, m.DataMeta.Size, null, default, m.Name.Crc, null));
                continue;
            }

            foreach (ManifestBatch b in m.Held)
            {
                if (covered.Add(b.Name))
                {
                    pieces.Add(new Piece(b.Name, b.Name, m.DataMeta.Key, m.DataMeta.Size, b, default, m.Name.Crc, null));
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
                pieces.Add(new Piece(name, name, meta.Key, meta.Size, null, default, LogObjectName.CrcOfData(meta.Key), meta.LastModified));
            }
        }

        foreach (PendingBatch p in pending)
        {
            // A pending batch may have landed since the copy was taken; then the stored one counts. (Pending names
            // took part in the overlap sweep, so no merged object read whole can hold one.)
            if (!covered.Contains(p.Name))
            {
                covered.Add(p.Name);
                pieces.Add(new Piece(p.Name, p.Name, null, 0, null, p.Data, null, null));
            }
        }

        if (includeBatch is not null)
        {
            pieces.RemoveAll(p => !includeBatch(p.First));
        }

        pieces.Sort(static (a, b) => string.CompareOrdinal(a.First, b.First));
        List<ReadUnit> units = Coalesce(pieces);

        var superseded = new HashSet<string>(StringComparer.Ordinal);
        if (forCompaction)
        {
            AddSuperseded(committed, batches, storeNow, options.SupersededGracePeriod, garbage, superseded);
        }

        var sources = new HashSet<string>(units.Where(u => u.Key is not null).Select(u => u.Key!), StringComparer.Ordinal);
        var snapshot = new LogSnapshot(units, garbage, sources, partial) { Trims = trimRecords };
        snapshot.MissingMarkers.AddRange(missingMarkers);
        foreach ((string key, ObjectMeta meta) in listed)
        {
            snapshot.Listed[key] = meta;
        }

        snapshot.Superseded.UnionWith(superseded);

        snapshot.ManifestsWithoutData.AddRange(manifestsWithoutData);
        snapshot.HoldsTrimmed.UnionWith(committed.Where(m => m.Held is not null && m.Held.Count < m.Manifest!.Batches.Count && sources.Contains(m.DataMeta.Key)).Select(m => m.DataMeta.Key));
        return snapshot;
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

    /// <summary>
    /// Batch objects held by a committed merged object, and merged objects wholly held by a more preferred one: all go
    /// to <paramref name="superseded"/>, and to <paramref name="garbage"/> once the holder's commit is older than the grace period.
    /// </summary>
    private static void AddSuperseded(List<MergedObject> committed, Dictionary<string, ObjectMeta> batches, DateTimeOffset now, TimeSpan grace, List<string> garbage, HashSet<string> superseded)
    {
        var oldestHolder = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (MergedObject m in committed)
        {
            foreach (ManifestBatch b in m.Held!)
            {
                if (!oldestHolder.TryGetValue(b.Name, out DateTimeOffset t) || m.ManifestMeta.LastModified < t)
                {
                    oldestHolder[b.Name] = m.ManifestMeta.LastModified;
                }
            }
        }

        foreach ((string name, ObjectMeta meta) in batches)
        {
            if (oldestHolder.TryGetValue(name, out DateTimeOffset committedAt))
            {
                superseded.Add(meta.Key);
                if (now - committedAt >= grace)
                {
                    garbage.Add(meta.Key);
                }
            }
        }

        var held = committed.Select(m => m.Held!.Select(b => b.Name).ToHashSet(StringComparer.Ordinal)).ToList();
        for (int x = 0; x < committed.Count; x++)
        {
            for (int y = 0; y < x; y++)
            {
                // committed is in preference order, so y is preferred to x.
                if (held[y].IsSupersetOf(held[x]))
                {
                    string[] keys = [committed[x].DataMeta.Key, committed[x].ManifestMeta.Key, EndMarkerKey(committed[x])];
                    superseded.UnionWith(keys);
                    if (now - committed[y].ManifestMeta.LastModified >= grace)
                    {
                        garbage.AddRange(keys); // data first: a manifest without data is ignored; the marker last, while the manifest is there
                    }

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

            long start = run[0].Offset;
            long end = run[^1].Offset + run[^1].Length;
            bool whole = start == 0 && end == p.ObjectSize;
            units.Add(new ReadUnit
            {
                FirstBatch = run[0].Name,
                LastBatch = run[^1].Name,
                Key = p.Key,
                Range = whole ? null : new ByteRange(start, end - start),
                Batches = run,
                Size = end - start,
                ObjectSize = p.ObjectSize,
                Crc = whole ? p.Crc : null,
            });
            i = j;
        }

        return units;
    }

    /// <summary>Whether merged data is stored now: one small LIST of its key's stem, which it shares with its manifest only.</summary>
    private static async Task<bool> DataExistsAsync(IObjectStore store, string dataKey, CancellationToken cancellationToken)
    {
        await foreach (ObjectMeta meta in store.ListAsync(dataKey[..^"jsonl".Length], null, cancellationToken).ConfigureAwait(false))
        {
            if (meta.Key == dataKey)
            {
                return true;
            }
        }

        return false;
    }

    private static string EndMarkerKey(MergedObject m) => m.DataMeta.Key[..^m.Name.DataName.Length] + LogObjectName.EndMarkerFor(m.Name.DataName);

    private sealed class MergedObject(LogObjectName name, ObjectMeta dataMeta, ObjectMeta manifestMeta)
    {
        public LogObjectName Name { get; } = name;

        /// <summary>The data's key and size (for one found by its marker, the size comes from the manifest).</summary>
        public ObjectMeta DataMeta { get; set; } = dataMeta;

        public ObjectMeta ManifestMeta { get; } = manifestMeta;

        /// <summary>Found by its end marker: its data sorts before the listing's start, and its manifest decides whether it counts.</summary>
        public bool ViaMarker { get; init; }

        public bool NeedsManifest { get; set; }

        public Manifest? Manifest { get; set; }

        /// <summary>The batches it holds for readers: its manifest's, less the trimmed ones; <see langword="null"/> when read whole without a manifest.</summary>
        public List<ManifestBatch>? Held { get; set; }
    }

    /// <summary>One batch (or a merged object read whole) and where it is read from.</summary>
    /// <param name="First">The first batch it holds.</param>
    /// <param name="Last">The last batch it holds.</param>
    /// <param name="Key">The object it is read from; <see langword="null"/> for a batch in memory.</param>
    /// <param name="ObjectSize">The size of that object.</param>
    /// <param name="Entry">The batch's manifest entry, when read by its byte range.</param>
    /// <param name="Memory">The bytes of a batch in memory.</param>
    /// <param name="Crc">The CRC-32C of the whole object <paramref name="Key"/>, when its name carries one.</param>
    /// <param name="StoredAt">For a batch object, when the store stamped it.</param>
    private readonly record struct Piece(string First, string Last, string? Key, long ObjectSize, ManifestBatch? Entry, ReadOnlyMemory<byte> Memory, uint? Crc, DateTimeOffset? StoredAt);
}
