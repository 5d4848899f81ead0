using System.Diagnostics;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// Merges the objects a <see cref="CompactionPolicy"/> chooses into one, by the commit protocol of docs/format.md: write
/// the merged data (invisible), commit it with a create-only manifest naming exactly the batches it read, check that
/// the commit counts, then delete what it superseded. A crash, failure or stall at any step leaves what readers see
/// unchanged.
/// </summary>
/// <remarks>
/// <para>
/// A commit counts only if its manifest was stored within <see cref="MergeCommit.Window"/> of its data, by the store's
/// stamps (<see cref="MergeCommit.IsTimely"/>), and garbage collection takes uncommitted data for abandoned only once it is
/// older than the larger of <see cref="AppendLogOptions.AbandonedMergeGracePeriod"/> and that window, by the store's
/// clock read before its listing. So a collector can only delete data whose commit can no longer count: a compactor
/// paused for an hour between its data and its manifest (or another process whose clock is hours fast) can make the
/// merge fail, never lose it. After committing, the compactor lists its data and manifest again; if the data is gone,
/// or the commit came too late, it withdraws the manifest and deletes no originals.
/// </para>
/// </remarks>
internal sealed class Compactor(IObjectStore store, string logPrefix, ManifestCache manifests, AppendLogOptions options, PutMode writeMode, StoreClock clock)
{
    private readonly GarbageCollector _collector = new(store, logPrefix, manifests, options, writeMode, clock);

    private const long InMemorySpoolLimit = 32L * 1024 * 1024;

    /// <remarks>One <c>objectlog.compact</c> activity covers it, when someone listens: objects merged, events and bytes written, and the new key.</remarks>
    public async Task<CompactionStats> CompactAsync(CompactionPolicy policy, CancellationToken cancellationToken)
    {
        using Activity? activity = Tracing.Start(Tracing.Compact, logPrefix);
        try
        {
            CompactionStats stats = await CompactCoreAsync(policy, activity, cancellationToken).ConfigureAwait(false);
            if (activity is not null)
            {
                activity.SetTag(Tracing.ObjectsTag, stats.NewKey is null ? 0 : stats.MergedObjects);
                activity.SetTag(Tracing.EventsTag, stats.Events);
                activity.SetTag(Tracing.KeyTag, stats.NewKey);
            }

            return stats;
        }
        catch (Exception e) when (Tracing.Fail(activity, e))
        {
            throw; // never: the filter only records
        }
    }

    private Task<CompactionStats> CompactCoreAsync(CompactionPolicy policy, Activity? activity, CancellationToken cancellationToken)
        => policy == CompactionPolicy.Nothing
            ? _collector.CollectAsync(cancellationToken) // merges nothing: garbage collection alone
            : Relisting.RetryWhenVanishedAsync(relists => CompactOnceAsync(policy, relists, activity, cancellationToken));

    /// <summary>One listing, one merge; an input that vanished, or a commit that did not count, lists again (see <see cref="Relisting"/>).</summary>
    private async Task<CompactionStats> CompactOnceAsync(CompactionPolicy policy, int relists, Activity? activity, CancellationToken cancellationToken)
    {
        GarbagePlan plan = await _collector.PlanAsync(cancellationToken).ConfigureAwait(false);
        LogSnapshot snapshot = plan.Snapshot;
        await _collector.WriteMissingMarkersAsync(snapshot, cancellationToken).ConfigureAwait(false);
        IReadOnlySet<string> chosen = policy.Choose(snapshot);
        // One object alone is rewritten only to drop trimmed bytes: otherwise merging it changes nothing.
        if (chosen.Count < 2 && !chosen.Any(snapshot.HoldsTrimmed.Contains))
        {
            return await _collector.CollectAsync(plan, cancellationToken).ConfigureAwait(false);
        }

        List<ReadUnit> inputs = snapshot.Units.Where(u => u.Key is not null && chosen.Contains(u.Key)).ToList();
        long size = inputs.Sum(u => u.Size);
        activity?.SetTag(Tracing.BytesTag, size);
        Stream spool = size <= InMemorySpoolLimit
            ? new MemoryStream((int)size)
            : SpillFile.Create();
        await using (spool.ConfigureAwait(false))
        {
            // An input that vanishes here (another compaction superseded it) lists again.
            (List<ManifestBatch> merged, uint crc) = await MergeAsync(inputs, spool, cancellationToken).ConfigureAwait(false);
            string dataName = LogObjectName.WithCrc(LogObjectName.Merged(merged[0].Name, merged[^1].Name, BatchNameGenerator.NewId()), crc, options.Compression);
            var superseded = chosen.Select(k => k[logPrefix.Length..]).ToList();
            superseded.AddRange(superseded.Where(IsMerged).Select(LogObjectName.ManifestFor).ToList());
            var manifest = new Manifest { Data = dataName, Batches = merged, Supersedes = superseded };
            spool.Position = 0;
            if (!await CommitAsync(dataName, spool, crc, manifest, cancellationToken).ConfigureAwait(false))
            {
                if (relists < Relisting.MaxRelists)
                {
                    // Its data was collected under it, or it stalled too long: merge again from a fresh listing.
                    throw new ObjectNotFoundException(logPrefix + dataName);
                }

                throw new ObjectStoreException($"Compacting log '{logPrefix}' failed: merged data '{logPrefix + dataName}' was collected before its commit counted, {Relisting.MaxRelists + 1} times.", logPrefix + dataName, isTransient: true);
            }

            var garbage = new List<GarbageObject>(plan.Objects);
            if (options.SupersededGracePeriod == TimeSpan.Zero)
            {
                garbage.AddRange(superseded.Select(n => new GarbageObject(logPrefix + n, KindOf(n))));
                garbage.AddRange(superseded.Where(IsMerged).Select(n => new GarbageObject(logPrefix + LogObjectName.EndMarkerFor(n), LogObjectKind.EndMarker)));
            }

            GarbageCollected collected = await Garbage.DeleteAsync(store, garbage, cancellationToken).ConfigureAwait(false);
            return new CompactionStats(chosen.Count, merged.Sum(b => (long)b.Lines), logPrefix + dataName) { DeletedObjects = collected.Deleted, DeleteFailures = collected.Failures };
        }
    }

    /// <summary>
    /// Stores the merged data and its end marker, commits them with the manifest, and checks that the commit counts.
    /// Returns <see langword="false"/> (having withdrawn the manifest, best effort) when it does not.
    /// </summary>
    /// <remarks>
    /// A failure before the manifest is sent deletes the data and marker, best effort: nothing can depend on them, and a
    /// retry would otherwise leave another full copy each time. From the manifest's PUT on, a failure leaves them: the
    /// manifest may have landed, and the data is then what readers read.
    /// </remarks>
    private async Task<bool> CommitAsync(string dataName, Stream data, uint crc, Manifest manifest, CancellationToken cancellationToken)
    {
        string dataKey = logPrefix + dataName;
        string markerKey = logPrefix + LogObjectName.EndMarkerFor(dataName);
        string manifestKey = logPrefix + LogObjectName.ManifestFor(dataName);
        try
        {
            await store.PutAsync(dataKey, data, writeMode, crc, cancellationToken).ConfigureAwait(false);

            // Before the commit, so every committed merged object has its marker: a reader listing from a floor
            // after the data's first batch finds it only by the marker.
            await MergeCommit.PutEndMarkerAsync(store, logPrefix, dataName, writeMode, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ObjectStoreException or OperationCanceledException)
        {
            await Garbage.DeleteAsync(store, [new(dataKey, LogObjectKind.Merged), new(markerKey, LogObjectKind.EndMarker)], CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        // The commit point. After an ambiguous failure here the data must stay: the manifest may exist.
        await store.PutAsync(manifestKey, manifest.Serialize(), writeMode, cancellationToken).ConfigureAwait(false);

        // Check what was committed: its data may have been collected while this process stalled before the manifest.
        ObjectMeta? dataMeta = null, manifestMeta = null;
        string bothStart = LogObjectName.CommitPrefix(dataKey); // "….c{crc}.": the data's key and its manifest's, and no other
        await foreach (ObjectMeta meta in store.ListAsync(bothStart, null, cancellationToken).ConfigureAwait(false))
        {
            if (meta.Key == dataKey)
            {
                dataMeta = meta;
            }
            else if (meta.Key == manifestKey)
            {
                manifestMeta = meta;
            }
        }

        if (dataMeta is not null && manifestMeta is not null && MergeCommit.IsTimely(dataMeta, manifestMeta))
        {
            return true;
        }

        // Withdraw: a manifest without its data, or one too late to count, is ignored by every reader; delete it
        // (then the data, which no counted commit names) so it is not mistaken for anything later. No original goes.
        await Garbage.DeleteAsync(store, [new(dataKey, LogObjectKind.Merged), new(manifestKey, LogObjectKind.Manifest), new(markerKey, LogObjectKind.EndMarker)], CancellationToken.None).ConfigureAwait(false);
        return false;
    }

    private static bool IsMerged(string name) => KindOf(name) == LogObjectKind.Merged;

    /// <summary>What a name this compaction read from says it is: a batch, merged data, or a manifest.</summary>
    private static LogObjectKind KindOf(string name) => LogObjectName.TryParse(name, out LogObjectName n) ? n.Kind : LogObjectKind.Batch;

    /// <summary>
    /// Copies the plan's events, in log order, into <paramref name="spool"/> as <see cref="AppendLogOptions.Compression"/>
    /// says (<see cref="MergedDataWriter"/>); returns where each batch landed with its CRC-32C, and the CRC-32C of the
    /// whole merged object.
    /// </summary>
    private async Task<(List<ManifestBatch> Batches, uint Crc)> MergeAsync(List<ReadUnit> units, Stream spool, CancellationToken cancellationToken)
    {
        var writer = new MergedDataWriter(spool, options.Compression);
        var events = new List<PlannedEvent>();
        uint crc;
        var plan = new PlanReader(store, units, options, cancellationToken, keepFrames: options.Compression != LogCompression.None);
        await using (plan.ConfigureAwait(false))
        {
            while (await plan.ReadNextAsync(events).ConfigureAwait(false))
            {
                await writer.AddAsync(events, plan.Frames, cancellationToken).ConfigureAwait(false);
                events.Clear();
            }

            crc = await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        List<ManifestBatch> merged = writer.Batches;

        // Each batch keeps the time its own object was stored: a trim compares it, however often the batch is merged.
        var storedAt = new Dictionary<string, DateTimeOffset?>(StringComparer.Ordinal);
        foreach (ReadUnit unit in units)
        {
            if (unit.Batches is { } held)
            {
                foreach (ManifestBatch b in held)
                {
                    storedAt[b.Name] = b.Stored;
                }
            }
            else
            {
                storedAt[unit.FirstBatch] = unit.StoredAt;
            }
        }

        foreach (ManifestBatch b in merged)
        {
            b.Stored = storedAt.GetValueOrDefault(b.Name);
        }

        return (merged, crc);
    }
}
