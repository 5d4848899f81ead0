using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// Checks every object of a log on its own (framing, checksums, manifests against their data), then reads the
/// whole log as a reader would, and reports what it found. It changes nothing.
/// </summary>
internal static class LogVerifier
{
    public static async Task<VerifyReport> VerifyAsync(LogInspector log, ManifestCache manifests, AppendLogOptions options, CancellationToken cancellationToken)
    {
        IObjectStore store = log.Store;
        string prefix = log.KeyPrefix;
        var problems = new List<VerifyProblem>();
        LogCensus? census = null;
        try
        {
            census = await log.TakeCensusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CorruptObjectException)
        {
            // A corrupt manifest: no read plan, so no states. The check below names it.
        }

        // Without a census (a corrupt manifest), the listing alone: no manifest is fetched, so nothing can vanish under it.
        LogInventory inventory = census?.Inventory ?? await LogInventory.TakeAsync(store, prefix, null, cancellationToken).ConfigureAwait(false);
        int batches = 0, merged = 0, uncommitted = 0, foreign = 0;
        var unverified = new List<string>();
        var notJson = new NotJsonLines();
        var harmless = new List<VerifyProblem>(); // problems that do not stop a reader: reported after the full read
        foreach ((ObjectMeta meta, LogObjectName? classified) in inventory.InKeyOrder())
        {
            if (classified is not { } parsed)
            {
                foreign++;
                continue;
            }

            try
            {
                switch (parsed.Kind)
                {
                    case LogObjectKind.Batch:
                        batches++;
                        await CheckAsync(store, new ReadUnit { Key = meta.Key, FirstBatch = parsed.First, LastBatch = parsed.First, Size = meta.Size, Crc = parsed.Crc }, unverified, notJson, options, cancellationToken).ConfigureAwait(false);
                        break;
                    case LogObjectKind.Merged when inventory.Manifests.TryGetValue(parsed.DataName, out ListedName manifest) && MergeCommit.IsTimely(meta, manifest.Meta):
                        merged++;
                        if (!inventory.EndMarkers.ContainsKey(parsed.DataName))
                        {
                            problems.Add(new(meta.Key, $"{meta.Key}: committed without its end marker (written before markers existed?): reads from a position or time may miss it until a compaction (objlog compact) writes the marker"));
                        }

                        Manifest held = await manifests.GetAsync(manifest.Meta.Key, parsed with { Kind = LogObjectKind.Manifest }, cancellationToken).ConfigureAwait(false);
                        long expected = held.Batches.Sum(b => b.Length);
                        if (expected != meta.Size)
                        {
                            problems.Add(new(meta.Key, $"{meta.Key}: {meta.Size} bytes, but its manifest gives {expected}"));
                            break;
                        }

                        await CheckAsync(store, new ReadUnit { Key = meta.Key, FirstBatch = parsed.First, LastBatch = parsed.Last, Batches = held.Batches, Size = meta.Size, Crc = parsed.Crc }, unverified, notJson, options, cancellationToken).ConfigureAwait(false);
                        break;
                    case LogObjectKind.Merged:
                        uncommitted++; // a compaction that never committed (or too late to count): invisible, collected when old
                        break;
                    case LogObjectKind.Manifest when !inventory.MergedData.ContainsKey(parsed.DataName):
                        harmless.Add(new(meta.Key, $"{meta.Key}: a manifest whose merged data ('{prefix + parsed.DataName}') is missing: superseded, or its data was collected before the commit counted. No reader uses it; 'objlog verify --repair' (or any compaction) deletes it."));
                        break;
                    case LogObjectKind.EndMarker when !inventory.MergedData.ContainsKey(parsed.DataName) && census?.StateOf(meta.Key) == ObjectState.Garbage:
                        harmless.Add(new(meta.Key, $"{meta.Key}: an end marker whose merged data ('{prefix + parsed.DataName}') is gone: left by a compaction stopped while deleting what it superseded, or by one that never committed. No reader uses it; 'objlog verify --repair' (or any compaction) deletes it."));
                        break;
                    case LogObjectKind.Trim when new TrimRecord(meta.Key, parsed.First, meta.LastModified) is { IsValid: false } record:
                        harmless.Add(new(meta.Key, $"{meta.Key}: a trim record from the future: its cutoff, {record.Cutoff:O}, is not before the time it was stored, {meta.LastModified:O} (placed by hand, or by a version that trusted a fast clock). It hides nothing; 'objlog verify --repair' deletes it."));
                        break;
                }
            }
            catch (CorruptObjectException e)
            {
                problems.Add(new(e.Key ?? meta.Key, e.Message));
            }
        }

        long events = 0, bytes = 0;
        if (problems.Count == 0)
        {
            // Only a log whose objects are each sound is worth reading whole: the read would stop at the first bad one.
            LogPosition? previous = null;
            await foreach (LogEvent e in log.ReadEventsAsync(null, cancellationToken).ConfigureAwait(false))
            {
                if (previous is { } p && e.Position <= p)
                {
                    problems.Add(new(prefix + e.Position.Batch, $"the full read returned {e.Position} after {p}"));
                    break;
                }

                previous = e.Position;
                events++;
                bytes += e.Data.Length + 1;
            }
        }

        problems.AddRange(harmless);
        IObjectStore inner = store is MeteredObjectStore metered ? metered.Inner : store;
        var folder = inner as FileSystemObjectStore;
        return new VerifyReport(batches, merged, census?.Count(ObjectState.Uncommitted, LogObjectKind.Merged) ?? uncommitted, foreign, events, bytes, problems, folder?.FindStaleStagedFiles(), folder?.FindSpecialEntries(prefix))
        {
            StaleSpillFiles = SpillFile.FindStale(),
            UnverifiedObjects = unverified,
            NotJsonEvents = notJson.Count,
            NotJsonEventProblems = notJson.Shown,
            LiveObjects = census?.Count(ObjectState.Live, dataOnly: true) ?? 0,
            SupersededObjects = census?.Count(ObjectState.Superseded) ?? 0,
            GarbageObjects = census?.Count(ObjectState.Garbage) ?? 0,
        };
    }

    /// <summary>Reads one unit as a reader would; one whose bytes no checksum covers goes to <paramref name="unverified"/>, each event JSON Lines readers refuse to <paramref name="notJson"/>.</summary>
    private static async Task CheckAsync(IObjectStore store, ReadUnit unit, List<string> unverified, NotJsonLines notJson, AppendLogOptions options, CancellationToken cancellationToken)
    {
        if (!unit.IsChecksummed)
        {
            unverified.Add(unit.Key!);
        }

        var events = new List<PlannedEvent>();
        var plan = new PlanReader(store, [unit], options, cancellationToken);
        await using (plan.ConfigureAwait(false))
        {
            long line = 0;
            while (await plan.ReadNextAsync(events).ConfigureAwait(false))
            {
                foreach (PlannedEvent e in events)
                {
                    notJson.Check(unit.Key!, ++line, e.Data);
                }

                events.Clear();
            }
        }
    }
}
