using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>An object garbage collection deletes, with what its name says it is (which decides when it goes: see <see cref="Garbage.DeleteAsync"/>).</summary>
internal readonly record struct GarbageObject(string Key, LogObjectKind Kind);

/// <summary>
/// What one listing of the whole log shows to be garbage, by the store's time read before the listing, beside the
/// read plan made of the same listing (garbage depends on which object a reader reads each batch from).
/// </summary>
/// <remarks>
/// Garbage: merged data never committed (or committed too late to count) and older than the larger of
/// <see cref="AppendLogOptions.AbandonedMergeGracePeriod"/> and <see cref="MergeCommit.Window"/>, with its late
/// manifest and its marker; lone end markers and manifests whose data is gone; whatever a trim hides; trim records
/// that say nothing new or are not valid; and what committed merged objects supersede, once the holder's commit is
/// older than <see cref="AppendLogOptions.SupersededGracePeriod"/>. Keys come in the order they are to be deleted.
/// </remarks>
internal sealed class GarbagePlan
{
    private GarbagePlan(DateTimeOffset now, LogSnapshot snapshot, List<GarbageObject> objects, HashSet<string> superseded)
    {
        Now = now;
        Snapshot = snapshot;
        Objects = objects;
        Superseded = superseded;
    }

    /// <summary>The store's time, read before the listing: what the grace periods are measured to.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The read plan made of the same listing.</summary>
    public LogSnapshot Snapshot { get; }

    /// <summary>The listing.</summary>
    public LogInventory Inventory => Snapshot.Inventory;

    /// <summary>What is safe to delete now, in the order to delete it.</summary>
    public List<GarbageObject> Objects { get; }

    /// <summary>
    /// Keys of batch and merged objects (with a merged object's manifest and end marker) whose batches a committed
    /// merged object holds and reads come from elsewhere: collected once the holder's commit is older than
    /// <see cref="AppendLogOptions.SupersededGracePeriod"/>.
    /// </summary>
    public HashSet<string> Superseded { get; }

    /// <summary>Lists the whole log, plans a read of it (every manifest loaded), and chooses its garbage by <c>now</c>, the store's time read before the listing.</summary>
    public static async Task<GarbagePlan> TakeAsync(IObjectStore store, string logPrefix, ManifestCache manifests, AppendLogOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        LogInventory inventory = await LogInventory.TakeAsync(store, logPrefix, null, cancellationToken).ConfigureAwait(false);
        var garbage = new List<GarbageObject>();
        await AddAbandonedAsync(store, inventory, now, options, garbage, cancellationToken).ConfigureAwait(false);
        LogSnapshot snapshot = await LogSnapshot.PlanAsync(inventory, manifests, [], includeBatch: null, loadAllManifests: true, options, cancellationToken).ConfigureAwait(false);

        // A manifest whose data is gone was superseded; without its data it means nothing.
        garbage.AddRange(inventory.Manifests.Where(m => !inventory.MergedData.ContainsKey(m.Key)).Select(m => new GarbageObject(m.Value.Meta.Key, LogObjectKind.Manifest)));
        AddTrimmed(inventory, now, options, garbage);
        var superseded = new HashSet<string>(StringComparer.Ordinal);
        AddSuperseded(snapshot, now, options.SupersededGracePeriod, garbage, superseded);
        return new GarbagePlan(now, snapshot, garbage, superseded);
    }

    /// <summary>Merged data whose commit can no longer count, and lone end markers.</summary>
    private static async Task AddAbandonedAsync(IObjectStore store, LogInventory inventory, DateTimeOffset now, AppendLogOptions options, List<GarbageObject> garbage, CancellationToken cancellationToken)
    {
        TimeSpan abandonedGrace = options.AbandonedMergeGracePeriod > MergeCommit.Window ? options.AbandonedMergeGracePeriod : MergeCommit.Window;
        foreach ((string dataName, (LogObjectName _, ObjectMeta meta)) in inventory.MergedData)
        {
            bool listed = inventory.Manifests.TryGetValue(dataName, out ListedName manifest);
            if ((!listed || !MergeCommit.IsTimely(meta, manifest.Meta)) && now - meta.LastModified >= abandonedGrace)
            {
                // A compaction that never committed (or committed too late to count), long ago by the store's clock:
                // no commit of it can count any more (see MergeCommit.Window), so nothing can come to depend on it.
                garbage.Add(new GarbageObject(meta.Key, LogObjectKind.Merged));
                if (listed)
                {
                    garbage.Add(new GarbageObject(manifest.Meta.Key, LogObjectKind.Manifest)); // after the data
                }

                if (inventory.EndMarkers.TryGetValue(dataName, out ListedName marker))
                {
                    garbage.Add(new GarbageObject(marker.Meta.Key, LogObjectKind.EndMarker)); // deleted after the data
                }
            }
        }

        foreach ((string dataName, (LogObjectName _, ObjectMeta meta)) in inventory.EndMarkers)
        {
            if (!inventory.MergedData.ContainsKey(dataName)
                && (now - meta.LastModified >= abandonedGrace || !await DataExistsAsync(store, inventory.LogPrefix + dataName, cancellationToken).ConfigureAwait(false)))
            {
                // A lone marker: its data is gone (superseded and collected by a compaction killed before its
                // markers, or a compaction that never committed), and gone data never comes back (its name is new to
                // each merge), so no commit of it can count. The listing may have missed the data of a compaction
                // running now, whose marker followed its data: a young marker's data is looked for once more.
                garbage.Add(new GarbageObject(meta.Key, LogObjectKind.EndMarker));
            }
        }
    }

    /// <summary>Everything a trim hides (gone for readers: its bytes are garbage), and trim records that say nothing new.</summary>
    private static void AddTrimmed(LogInventory inventory, DateTimeOffset now, AppendLogOptions options, List<GarbageObject> garbage)
    {
        garbage.AddRange(inventory.Batches.Where(b => inventory.Hides(b.Key, b.Value.LastModified)).Select(b => new GarbageObject(b.Value.Key, LogObjectKind.Batch)));
        foreach ((string dataName, (LogObjectName name, ObjectMeta meta)) in inventory.MergedData)
        {
            if (inventory.Manifests.TryGetValue(dataName, out ListedName manifest) && MergeCommit.IsTimely(meta, manifest.Meta) && inventory.HidesAll(name, manifest.Meta))
            {
                garbage.Add(new GarbageObject(meta.Key, LogObjectKind.Merged));
                garbage.Add(new GarbageObject(manifest.Meta.Key, LogObjectKind.Manifest));
                garbage.Add(new GarbageObject(inventory.LogPrefix + LogObjectName.EndMarkerFor(dataName), LogObjectKind.EndMarker));
            }
        }

        // A trim record says nothing new once a later cutoff recorded no earlier has been there long enough for
        // every listing that began before it to have ended. One that is not valid hides nothing: it is garbage.
        IReadOnlyList<TrimRecord> valid = inventory.ValidTrims;
        garbage.AddRange(inventory.Trims
            .Where(t => !t.IsValid || valid.Any(u => string.CompareOrdinal(u.Floor, t.Floor) > 0 && u.StoredAt >= t.StoredAt && now - u.StoredAt >= options.AbandonedMergeGracePeriod))
            .Select(t => new GarbageObject(t.Key, LogObjectKind.Trim)));
    }

    /// <summary>
    /// Batch objects held by a committed merged object, and merged objects wholly held by a more preferred one: all go
    /// to <paramref name="superseded"/>, and to <paramref name="garbage"/> once the holder's commit is older than the grace period.
    /// </summary>
    private static void AddSuperseded(LogSnapshot snapshot, DateTimeOffset now, TimeSpan grace, List<GarbageObject> garbage, HashSet<string> superseded)
    {
        List<CommittedMerge> committed = snapshot.Committed;
        var oldestHolder = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (CommittedMerge m in committed)
        {
            foreach (ManifestBatch b in m.Held!)
            {
                if (!oldestHolder.TryGetValue(b.Name, out DateTimeOffset t) || m.ManifestMeta.LastModified < t)
                {
                    oldestHolder[b.Name] = m.ManifestMeta.LastModified;
                }
            }
        }

        foreach ((string name, ObjectMeta meta) in snapshot.VisibleBatches)
        {
            if (oldestHolder.TryGetValue(name, out DateTimeOffset committedAt))
            {
                superseded.Add(meta.Key);
                if (now - committedAt >= grace)
                {
                    garbage.Add(new GarbageObject(meta.Key, LogObjectKind.Batch));
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
                    CommittedMerge m = committed[x];
                    superseded.UnionWith([m.DataMeta.Key, m.ManifestMeta.Key, m.EndMarkerKey]);
                    if (now - committed[y].ManifestMeta.LastModified >= grace)
                    {
                        // data first: a manifest without data is ignored; the marker last, while the manifest is there
                        garbage.Add(new GarbageObject(m.DataMeta.Key, LogObjectKind.Merged));
                        garbage.Add(new GarbageObject(m.ManifestMeta.Key, LogObjectKind.Manifest));
                        garbage.Add(new GarbageObject(m.EndMarkerKey, LogObjectKind.EndMarker));
                    }

                    break;
                }
            }
        }
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
}
