using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// A read plan made from one <see cref="LogInventory"/>: which object (or byte range) each batch is read from, in log
/// order, each batch exactly once. Read path: list → <b>plan</b> → fetch window → frame and check lines → events.
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
    private LogSnapshot(LogInventory inventory, List<ReadUnit> units, HashSet<string> partial, List<CommittedMerge> committed, Dictionary<string, ObjectMeta> visibleBatches)
    {
        Inventory = inventory;
        Units = units;
        Partial = partial;
        Committed = committed;
        VisibleBatches = visibleBatches;
        Sources = new HashSet<string>(units.Where(u => u.Key is not null).Select(u => u.Key!), StringComparer.Ordinal);
        HoldsTrimmed = committed.Where(m => m.Held is not null && m.Held.Count < m.Manifest!.Batches.Count && Sources.Contains(m.DataMeta.Key)).Select(m => m.DataMeta.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The listing the plan was made from.</summary>
    public LogInventory Inventory { get; }

    /// <summary>The reads to make, in log order.</summary>
    public List<ReadUnit> Units { get; }

    /// <summary>Keys of stored objects the plan reads: the objects a reader reads now.</summary>
    public HashSet<string> Sources { get; }

    /// <summary>Sources some of whose batches are read from a more preferred object: merging them alone would not supersede them.</summary>
    public HashSet<string> Partial { get; }

    /// <summary>The trim records listed, valid or not (see <see cref="TrimRecord.IsValid"/>).</summary>
    public IReadOnlyList<TrimRecord> Trims => Inventory.Trims;

    /// <summary>Keys of merged objects that still hold trimmed bytes: rewriting one alone is worth it (retention), unlike any other single object.</summary>
    public HashSet<string> HoldsTrimmed { get; }

    /// <summary>Committed merged objects (data names) whose end marker was not listed: a compaction writes them (logs from before end markers).</summary>
    public List<string> MissingMarkers { get; } = [];

    /// <summary>The committed merged objects a reader counts, most preferred first (see the remarks).</summary>
    public List<CommittedMerge> Committed { get; }

    /// <summary>The batch objects listed that no trim hides, by batch name.</summary>
    public Dictionary<string, ObjectMeta> VisibleBatches { get; }

    /// <summary>Lists the log and plans a read: <see cref="LogInventory.TakeAsync"/>, then <see cref="PlanAsync"/>.</summary>
    /// <remarks>
    /// <c>listAfter</c>: see <see cref="LogInventory.TakeAsync"/>; <c>includeBatch</c> must exclude every batch before
    /// it. A read plan never chooses garbage: <see cref="GarbagePlan"/> does.
    /// </remarks>
    public static async Task<LogSnapshot> LoadAsync(
        IObjectStore store,
        string logPrefix,
        ManifestCache manifests,
        IReadOnlyList<PendingBatch> pending,
        Func<string, bool>? includeBatch,
        AppendLogOptions options,
        CancellationToken cancellationToken,
        string? listAfter = null,
        bool readsEveryUnit = true)
    {
        LogInventory inventory = await LogInventory.TakeAsync(store, logPrefix, listAfter, cancellationToken).ConfigureAwait(false);
        return await PlanAsync(inventory, manifests, pending, includeBatch, loadAllManifests: false, options, cancellationToken, readsEveryUnit).ConfigureAwait(false);
    }

    /// <summary>Plans a read of what <paramref name="inventory"/> lists, plus <paramref name="pending"/>, fetching the manifests it needs.</summary>
    /// <param name="inventory">The listing.</param>
    /// <param name="manifests">Where manifests come from.</param>
    /// <param name="pending">This writer's batches not known to be stored, to include.</param>
    /// <param name="includeBatch">Which batches to read; <see langword="null"/> for all. With a filter, every manifest is loaded.</param>
    /// <param name="loadAllManifests">Load every committed merged object's manifest (compaction and garbage collection need each batch's holder).</param>
    /// <param name="options">The part size, which decides which merged objects are read in parts.</param>
    /// <param name="cancellationToken">Cancels the manifests' fetches.</param>
    /// <param name="readsEveryUnit">
    /// Whether the plan's every unit is read, so compressed merged data gets its manifest now (its frames' sizes bound
    /// its read). A reader that reads only some units (the last events) passes <see langword="false"/> and fetches the
    /// manifest of each merged unit it reads, so the units it skips cost nothing.
    /// </param>
    public static async Task<LogSnapshot> PlanAsync(LogInventory inventory, ManifestCache manifests, IReadOnlyList<PendingBatch> pending, Func<string, bool>? includeBatch, bool loadAllManifests, AppendLogOptions options, CancellationToken cancellationToken, bool readsEveryUnit = true)
    {
        (List<CommittedMerge> committed, List<string> missingMarkers) = FindCommitted(inventory);
        committed.RemoveAll(m => !m.ViaMarker && inventory.HidesAll(m.Name, m.ManifestMeta));

        // This writer's unstored batches are not hidden: they will be stored after every trim listed now.
        Dictionary<string, ObjectMeta> batches = inventory.AnyTrim
            ? inventory.Batches.Where(b => !inventory.Hides(b.Key, b.Value.LastModified)).ToDictionary(StringComparer.Ordinal)
            : inventory.Batches;

        // A filter needs every merged object split by batch.
        PlanPieces.MarkOverlaps(committed, batches.Keys.Concat(pending.Select(p => p.Name)), loadAllManifests || includeBatch is not null);
        foreach (CommittedMerge m in committed.Where(m => m.DataMeta.Size > options.ReadPartBytes || m.ViaMarker || (readsEveryUnit && m.Name.Encoding != LogCompression.None) || inventory.MayHide(m.Name.First)))
        {
            // Read in parts, so a read can stop inside it (an object vanishing under a later part); it resumes
            // at a batch and line, so it must know each event's batch. One small GET beside several large ones.
            // Found by its marker, its manifest says whether it is committed; straddling the cutoff, which
            // batches are left. Compressed, its manifest gives each batch's frame and what it decodes to, the bound
            // that keeps a read's memory in check.
            m.NeedsManifest = true;
        }

        await LoadManifestsAsync(committed, manifests, cancellationToken).ConfigureAwait(false);
        foreach (CommittedMerge m in committed)
        {
            if (m.ViaMarker)
            {
                m.DataMeta = m.DataMeta with { Size = m.Manifest!.Batches[^1].Offset + m.Manifest.Batches[^1].Length };
            }

            m.Held = m.Manifest?.Batches.Where(b => !inventory.Hides(b.Name, b.Stored ?? DateTimeOffset.MinValue)).ToList();
        }

        // Most preferred first: more batches, then lower name. Merged objects read whole have no overlaps, so their place is moot.
        committed.Sort(static (a, b) =>
        {
            int byCount = (b.Held?.Count ?? 0).CompareTo(a.Held?.Count ?? 0);
            return byCount != 0 ? byCount : string.CompareOrdinal(a.Name.DataName, b.Name.DataName);
        });

        var partial = new HashSet<string>(StringComparer.Ordinal);
        List<PlanPiece> pieces = Pieces(committed, batches, pending, partial);
        if (includeBatch is not null)
        {
            pieces.RemoveAll(p => !includeBatch(p.First));
        }

        pieces.Sort(static (a, b) => string.CompareOrdinal(a.First, b.First));
        var snapshot = new LogSnapshot(inventory, PlanPieces.Coalesce(pieces), partial, committed, batches);
        snapshot.MissingMarkers.AddRange(missingMarkers);
        return snapshot;
    }

    /// <summary>
    /// Merged data whose commit counts, and, when the listing starts after a floor, merged data that starts before it,
    /// found by its end marker (whether that counts, its manifest says); and the committed ones without a marker.
    /// </summary>
    private static (List<CommittedMerge> Committed, List<string> MissingMarkers) FindCommitted(LogInventory inventory)
    {
        var committed = new List<CommittedMerge>();
        var missingMarkers = new List<string>();
        foreach ((string dataName, (LogObjectName name, ObjectMeta meta)) in inventory.MergedData)
        {
            if (inventory.Manifests.TryGetValue(dataName, out ListedName manifest) && MergeCommit.IsTimely(meta, manifest.Meta))
            {
                committed.Add(new CommittedMerge(name, meta, manifest.Meta));
                if (!inventory.EndMarkers.ContainsKey(dataName))
                {
                    missingMarkers.Add(dataName);
                }
            }
        }

        string logPrefix = inventory.LogPrefix;
        foreach ((string dataName, (LogObjectName name, ObjectMeta meta)) in inventory.EndMarkers)
        {
            if (!inventory.MergedData.ContainsKey(dataName) && inventory.ListedAfter is { } listAfter && string.CompareOrdinal(dataName, listAfter) <= 0)
            {
                // Merged data that starts before the listing: found by its marker. Its size and whether it is
                // committed come from its manifest (the marker is written before the manifest, so it may not be).
                committed.Add(new CommittedMerge(name, new ObjectMeta(logPrefix + dataName, 0, meta.LastModified), new ObjectMeta(logPrefix + LogObjectName.ManifestFor(dataName), 0, meta.LastModified)) { ViaMarker = true });
            }
        }

        return (committed, missingMarkers);
    }

    /// <summary>Fetches the manifests marked as needed; drops merged data found by a marker whose manifest is not there.</summary>
    private static async Task LoadManifestsAsync(List<CommittedMerge> committed, ManifestCache manifests, CancellationToken cancellationToken)
    {
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
    }

    /// <summary>Each batch from its most preferred holder (<paramref name="committed"/> is in preference order); sources that lose a batch to a preferred one go to <paramref name="partial"/>.</summary>
    private static List<PlanPiece> Pieces(List<CommittedMerge> committed, Dictionary<string, ObjectMeta> batches, IReadOnlyList<PendingBatch> pending, HashSet<string> partial)
    {
        var pieces = new List<PlanPiece>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (CommittedMerge m in committed)
        {
            if (m.Held is null)
            {
                pieces.Add(new PlanPiece(m.Name.First, m.Name.Last, m.DataMeta.Key, m.DataMeta.Size, null, default, m.Name.Crc, null));
                continue;
            }

            foreach (ManifestBatch b in m.Held)
            {
                if (covered.Add(b.Name))
                {
                    pieces.Add(new PlanPiece(b.Name, b.Name, m.DataMeta.Key, m.DataMeta.Size, b, default, m.Name.Crc, null));
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
                pieces.Add(new PlanPiece(name, name, meta.Key, meta.Size, null, default, LogObjectName.CrcOfData(meta.Key), meta.LastModified));
            }
        }

        foreach (PendingBatch p in pending)
        {
            // A pending batch may have landed since the copy was taken; then the stored one counts. (Pending names
            // took part in the overlap sweep, so no merged object read whole can hold one.)
            if (covered.Add(p.Name))
            {
                pieces.Add(new PlanPiece(p.Name, p.Name, null, 0, null, p.Data, null, null));
            }
        }

        return pieces;
    }
}
