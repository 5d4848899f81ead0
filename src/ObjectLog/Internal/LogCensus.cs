using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>One object under a log's prefix, what its name says it is (<see langword="null"/> when not ObjectLog's), and its <see cref="ObjectState"/>.</summary>
internal readonly record struct CensusEntry(ObjectMeta Meta, LogObjectName? Name, ObjectState State)
{
    /// <summary>Whether it holds events: a batch object or merged data.</summary>
    public bool IsData => Name is { Kind: LogObjectKind.Batch or LogObjectKind.Merged };
}

/// <summary>
/// Every object under a log's prefix with its <see cref="ObjectState"/>, from one listing and the read plan a
/// compaction would make of it: the one classification that <c>verify</c>, <c>ls</c> and <c>stats</c> count by.
/// </summary>
internal sealed class LogCensus
{
    private readonly Dictionary<string, ObjectState> _states;

    private LogCensus(List<CensusEntry> entries)
    {
        Entries = entries;
        _states = entries.ToDictionary(e => e.Meta.Key, e => e.State, StringComparer.Ordinal);
    }

    /// <summary>Every object listed, in key order.</summary>
    public IReadOnlyList<CensusEntry> Entries { get; }

    /// <summary>The state of a listed object; <see langword="null"/> if it was not listed.</summary>
    public ObjectState? StateOf(string key) => _states.TryGetValue(key, out ObjectState state) ? state : null;

    /// <summary>How many objects are in <paramref name="state"/>; with <paramref name="dataOnly"/>, only batch objects and merged data.</summary>
    public int Count(ObjectState state, bool dataOnly = false) => Entries.Count(e => e.State == state && (!dataOnly || e.IsData));

    /// <summary>How many objects of <paramref name="kind"/> are in <paramref name="state"/>.</summary>
    public int Count(ObjectState state, LogObjectKind kind) => Entries.Count(e => e.State == state && e.Name?.Kind == kind);

    /// <summary>
    /// Lists the log and classifies what it finds. It changes nothing; it fetches every merged object's manifest
    /// (cached). <c>now</c> is the store's time, read before the listing, as a compaction reads it.
    /// </summary>
    public static async Task<LogCensus> TakeAsync(IObjectStore store, string logPrefix, ManifestCache manifests, AppendLogOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                LogSnapshot snapshot = await LogSnapshot.LoadAsync(store, logPrefix, manifests, [], includeBatch: null, forCompaction: true, options, cancellationToken, now: now).ConfigureAwait(false);
                return Of(snapshot, logPrefix);
            }
            catch (ObjectNotFoundException) when (attempt < 10)
            {
                // A manifest listed a moment ago was collected by a compaction: list again.
            }
        }
    }

    private static LogCensus Of(LogSnapshot snapshot, string logPrefix)
    {
        var garbage = snapshot.Garbage.ToHashSet(StringComparer.Ordinal);
        var entries = new List<CensusEntry>(snapshot.Listed.Count);
        foreach (ObjectMeta meta in snapshot.Listed.Values.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            string name = meta.Key[logPrefix.Length..];
            if (name.Contains('/', StringComparison.Ordinal) || !LogObjectName.TryParse(name, out LogObjectName parsed))
            {
                entries.Add(new CensusEntry(meta, null, ObjectState.Foreign));
                continue;
            }

            entries.Add(new CensusEntry(meta, parsed, StateOf(meta.Key, parsed)));
        }

        return new LogCensus(entries);

        // Superseded before garbage: a superseded object is collected too, once its grace has passed.
        ObjectState StateOf(string key, LogObjectName name)
            => snapshot.Superseded.Contains(key) ? ObjectState.Superseded
            : garbage.Contains(key) ? ObjectState.Garbage
            : snapshot.Sources.Contains(key) ? ObjectState.Live
            : name.Kind switch
            {
                // Every batch a reader reads from elsewhere: a committed merged object holds it.
                LogObjectKind.Batch => ObjectState.Superseded,
                LogObjectKind.Merged => IsCommitted(name.DataName) ? ObjectState.Superseded : ObjectState.Uncommitted,
                LogObjectKind.Manifest or LogObjectKind.EndMarker => DataState(name.DataName),
                _ => ObjectState.Live, // a trim record garbage collection keeps is in effect
            };

        // A manifest or end marker is what its data is; one whose data the listing missed belongs to a merge in progress.
        ObjectState DataState(string dataName)
            => snapshot.Listed.ContainsKey(logPrefix + dataName) && LogObjectName.TryParse(dataName, out LogObjectName data)
                ? StateOf(logPrefix + dataName, data)
                : ObjectState.Uncommitted;

        bool IsCommitted(string dataName)
            => snapshot.Listed.TryGetValue(logPrefix + dataName, out ObjectMeta? data)
                && snapshot.Listed.TryGetValue(logPrefix + LogObjectName.ManifestFor(dataName), out ObjectMeta? manifest)
                && Compactor.IsTimelyCommit(data, manifest);
    }
}
