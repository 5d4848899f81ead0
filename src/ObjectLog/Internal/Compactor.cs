using System.Diagnostics;
using System.Buffers;
using System.IO.Hashing;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// Merges the objects a <see cref="CompactionPolicy"/> chooses into one, by the commit protocol in DESIGN.md: write the merged data
/// (invisible), commit it with a create-only manifest naming exactly the batches it read, then delete what it
/// superseded. A crash or failure at any step leaves what readers see unchanged.
/// </summary>
internal sealed class Compactor(IObjectStore store, string logPrefix, ManifestCache manifests, AppendLogOptions options, PutMode writeMode)
{
    private const int MaxRestarts = 10;
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

    private async Task<CompactionStats> CompactCoreAsync(CompactionPolicy policy, Activity? activity, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            LogSnapshot snapshot;
            try
            {
                snapshot = await LogSnapshot.LoadAsync(store, logPrefix, manifests, [], includeBatch: null, forCompaction: true, options, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectNotFoundException) when (attempt < MaxRestarts)
            {
                continue;
            }

            await WriteMissingMarkersAsync(snapshot, cancellationToken).ConfigureAwait(false);
            IReadOnlySet<string> chosen = policy.Choose(snapshot);
            // One object alone is rewritten only to drop trimmed bytes: otherwise merging it changes nothing.
            if (chosen.Count < 2 && !chosen.Any(snapshot.HoldsTrimmed.Contains))
            {
                GarbageCollected collectedAlone = await Garbage.DeleteAsync(store, snapshot.Garbage, cancellationToken).ConfigureAwait(false);
                return new CompactionStats(snapshot.Sources.Count, 0, null) { DeletedObjects = collectedAlone.Deleted, DeleteFailures = collectedAlone.Failures };
            }

            List<ReadUnit> inputs = snapshot.Units.Where(u => u.Key is not null && chosen.Contains(u.Key)).ToList();
            long size = inputs.Sum(u => u.Size);
            activity?.SetTag(Tracing.BytesTag, size);
            Stream spool = size <= InMemorySpoolLimit
                ? new MemoryStream((int)size)
                : SpillFile.Create();
            await using (spool.ConfigureAwait(false))
            {
                List<ManifestBatch> merged;
                uint crc;
                try
                {
                    (merged, crc) = await MergeAsync(inputs, spool, cancellationToken).ConfigureAwait(false);
                }
                catch (ObjectNotFoundException) when (attempt < MaxRestarts)
                {
                    continue; // another compaction superseded an input; start over from a fresh listing
                }

                string dataName = LogObjectName.WithCrc(LogObjectName.Merged(merged[0].Name, merged[^1].Name, BatchNameGenerator.NewId()), crc);
                spool.Position = 0;
                await store.PutAsync(logPrefix + dataName, spool, writeMode, crc, cancellationToken).ConfigureAwait(false);

                // Before the commit, so every committed merged object has its marker: a reader listing from a floor
                // after the data's first batch finds it only by the marker.
                await PutMarkerAsync(dataName, cancellationToken).ConfigureAwait(false);

                var superseded = chosen.Select(k => k[logPrefix.Length..]).ToList();
                superseded.AddRange(superseded.Where(IsMerged).Select(LogObjectName.ManifestFor).ToList());
                var manifest = new Manifest { Data = dataName, Batches = merged, Supersedes = superseded };

                // The commit point. After an ambiguous failure here the data must stay: the manifest may exist.
                await store.PutAsync(logPrefix + LogObjectName.ManifestFor(dataName), manifest.Serialize(), writeMode, cancellationToken).ConfigureAwait(false);

                var garbage = new List<string>(snapshot.Garbage);
                if (options.SupersededGracePeriod == TimeSpan.Zero)
                {
                    garbage.AddRange(superseded.Select(n => logPrefix + n));
                    garbage.AddRange(superseded.Where(IsMerged).Select(n => logPrefix + LogObjectName.EndMarkerFor(n)));
                }

                GarbageCollected collected = await Garbage.DeleteAsync(store, garbage, cancellationToken).ConfigureAwait(false);
                return new CompactionStats(chosen.Count, merged.Sum(b => (long)b.Lines), logPrefix + dataName) { DeletedObjects = collected.Deleted, DeleteFailures = collected.Failures };
            }
        }
    }

    private static bool IsMerged(string name) => LogObjectName.TryParse(name, out LogObjectName n) && n.Kind == LogObjectKind.Merged;

    /// <summary>
    /// Copies the plan's events, in log order, into <paramref name="spool"/>; returns where each batch landed with
    /// its CRC-32C, and the CRC-32C of the whole merged object.
    /// </summary>
    /// <remarks>
    /// The checksums are computed here, once, over the bytes as they go to the spool; the plan reader has checked the
    /// inputs' own checksums before handing out their events, so a batch keeps its CRC through any number of merges.
    /// </remarks>
    private async Task<(List<ManifestBatch> Batches, uint Crc)> MergeAsync(List<ReadUnit> units, Stream spool, CancellationToken cancellationToken)
    {
        var merged = new List<ManifestBatch>();
        var events = new List<PlannedEvent>();
        var bytes = new ArrayBufferWriter<byte>();
        var whole = Crc32C.Create();
        var batch = Crc32C.Create();
        var plan = new PlanReader(store, units, options, cancellationToken);
        await using (plan.ConfigureAwait(false))
        {
            while (await plan.ReadNextAsync(events).ConfigureAwait(false))
            {
                CopyPart(events, spool.Position, bytes, merged, batch);
                whole.Append(bytes.WrittenSpan);
                await spool.WriteAsync(bytes.WrittenMemory, cancellationToken).ConfigureAwait(false);
                bytes.ResetWrittenCount();
                events.Clear();
            }
        }

        if (merged.Count > 0)
        {
            merged[^1].Crc = batch.GetCurrentHashAsUInt32();
        }

        return (merged, whole.GetCurrentHashAsUInt32());
    }

    /// <summary>
    /// Appends one part's events to <paramref name="bytes"/>, which the spool receives at <paramref name="at"/>, and
    /// records where each batch lands; <paramref name="crc"/> runs over the current batch's bytes.
    /// </summary>
    private static void CopyPart(List<PlannedEvent> events, long at, ArrayBufferWriter<byte> bytes, List<ManifestBatch> merged, Crc32 crc)
    {
        ManifestBatch? current = merged.Count > 0 ? merged[^1] : null;
        foreach (PlannedEvent e in events)
        {
            if (current is null || current.Name != e.Batch)
            {
                if (current is not null)
                {
                    current.Crc = crc.GetCurrentHashAsUInt32();
                    crc.Reset();
                }

                current = new ManifestBatch { Name = e.Batch!, Offset = at + bytes.WrittenCount }; // every manifest is loaded: batches are known
                merged.Add(current);
            }

            bytes.Write(e.Data);
            bytes.Write("\n"u8);
            crc.Append(e.Data);
            crc.Append("\n"u8);
            current.Lines++;
            current.Length += e.Data.Length + 1;
        }
    }

    /// <summary>
    /// Writes the end markers that committed merged objects lack (those written before markers existed), so reads
    /// from a floor find them too. Create-only and idempotent: a marker the listing missed is simply there already.
    /// </summary>
    private async Task WriteMissingMarkersAsync(LogSnapshot snapshot, CancellationToken cancellationToken)
    {
        foreach (string dataName in snapshot.MissingMarkers)
        {
            await PutMarkerAsync(dataName, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PutMarkerAsync(string dataName, CancellationToken cancellationToken)
    {
        try
        {
            await store.PutAsync(logPrefix + LogObjectName.EndMarkerFor(dataName), EndMarker.Serialize(dataName), writeMode, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectAlreadyExistsException)
        {
            // A retry after an ambiguous failure, or another compaction repairing the same object: same content.
        }
    }
}
