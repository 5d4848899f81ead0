using ObjectLog.Internal;
using ObjectLog.Storage;

namespace ObjectLog.Cli;

/// <summary>
/// Checks every object of a log on its own (framing, manifests against their data), then reads the whole log as
/// a reader would, and reports what it found. It changes nothing.
/// </summary>
internal static class LogVerifier
{
    public sealed record Report(int Batches, int Merged, int Uncommitted, int Foreign, long Events, long Bytes, List<string> Problems);

    public static async Task<Report> VerifyAsync(IObjectStore store, string logPrefix, CancellationToken cancellationToken)
    {
        string prefix = logPrefix + "/";
        var problems = new List<string>();
        var objects = await store.ListSortedAsync(prefix, null, cancellationToken);
        var names = objects.ToDictionary(o => o.Key[prefix.Length..], StringComparer.Ordinal);
        var manifests = new ManifestCache(store);
        int batches = 0, merged = 0, uncommitted = 0, foreign = 0;
        foreach ((string name, ObjectMeta meta) in names)
        {
            if (name.Contains('/', StringComparison.Ordinal) || !LogObjectName.TryParse(name, out LogObjectName parsed))
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
                        await CheckAsync(store, new ReadUnit { Key = meta.Key, FirstBatch = name, LastBatch = name, Size = meta.Size }, cancellationToken);
                        break;
                    case LogObjectKind.Merged when names.ContainsKey(LogObjectName.ManifestFor(name)):
                        merged++;
                        if (!names.ContainsKey(LogObjectName.EndMarkerFor(name)))
                        {
                            problems.Add($"{meta.Key}: committed without its end marker (written before markers existed?): reads from a position or time may miss it until a compaction (objlog compact) writes the marker");
                        }

                        Manifest manifest = await manifests.GetAsync(prefix + LogObjectName.ManifestFor(name), parsed with { Kind = LogObjectKind.Manifest }, cancellationToken);
                        long expected = manifest.Batches.Sum(b => b.Length);
                        if (expected != meta.Size)
                        {
                            problems.Add($"{meta.Key}: {meta.Size} bytes, but its manifest gives {expected}");
                            break;
                        }

                        await CheckAsync(store, new ReadUnit { Key = meta.Key, FirstBatch = parsed.First, LastBatch = parsed.Last, Batches = manifest.Batches, Size = meta.Size }, cancellationToken);
                        break;
                    case LogObjectKind.Merged:
                        uncommitted++; // a compaction that never committed: invisible, collected when old
                        break;
                }
            }
            catch (CorruptObjectException e)
            {
                problems.Add(e.Message);
            }
        }

        long events = 0, bytes = 0;
        if (problems.Count == 0)
        {
            await using var log = new AppendLog(store, logPrefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan });
            LogPosition? previous = null;
            await foreach (LogEvent e in log.ReadEventsAsync(null, cancellationToken))
            {
                if (previous is { } p && e.Position <= p)
                {
                    problems.Add($"the full read returned {e.Position} after {p}");
                    break;
                }

                previous = e.Position;
                events++;
                bytes += e.Data.Length + 1;
            }
        }

        return new Report(batches, merged, uncommitted, foreign, events, bytes, problems);
    }

    private static async Task CheckAsync(IObjectStore store, ReadUnit unit, CancellationToken cancellationToken)
    {
        var events = new List<PlannedEvent>();
        await using var plan = new PlanReader(store, [unit], new AppendLogOptions(), cancellationToken);
        while (await plan.ReadNextAsync(events))
        {
            events.Clear();
        }
    }
}
