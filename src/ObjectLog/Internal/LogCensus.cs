using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>One object under a log's prefix, what its name says it is (<see langword="null"/> when not ObjectLog's), and its <see cref="ObjectState"/>.</summary>
internal readonly record struct CensusEntry(ObjectMeta Meta, LogObjectName? Name, ObjectState State)
{
    /// <summary>Whether it holds events: a batch object or merged data.</summary>
    public bool IsData => Name is { Kind: LogObjectKind.Batch or LogObjectKind.Merged };
}

/// <summary>
/// Every object under a log's prefix with its <see cref="ObjectState"/>, from one <see cref="LogInventory"/> and the garbage
/// plan a compaction would make of it: the one classification that <c>verify</c>, <c>ls</c> and <c>stats</c> count by.
/// </summary>
internal sealed class LogCensus
{
    private readonly Dictionary<string, ObjectState> _states;

    private LogCensus(LogInventory inventory, List<CensusEntry> entries)
    {
        Inventory = inventory;
        Entries = entries;
        _states = entries.ToDictionary(e => e.Meta.Key, e => e.State, StringComparer.Ordinal);
    }

    /// <summary>The listing the census classifies.</summary>
    public LogInventory Inventory { get; }

    /// <summary>Every object listed, in key order.</summary>
    public IReadOnlyList<CensusEntry> Entries { get; }

    /// <summary>The state of a listed object; <see langword="null"/> if it was not listed.</summary>
    public ObjectState? StateOf(string key) => _states.TryGetValue(key, out ObjectState state) ? state : null;

    /// <summary>How many objects are in <paramref name="state"/>; with <paramref name="dataOnly"/>, only batch objects and merged data.</summary>
    public int Count(ObjectState state, bool dataOnly = false) => Entries.Count(e => e.State == state && (!dataOnly || e.IsData));

    /// <summary>How many objects of <paramref name="kind"/> are in <paramref name="state"/>.</summary>
    public int Count(ObjectState state, LogObjectKind kind) => Entries.Count(e => e.State == state && e.Name?.Kind == kind);

    /// <summary>
    /// Lists the log and classifies what it finds, from the garbage plan a compaction would make now. It changes
    /// nothing; it fetches every merged object's manifest (cached). <c>now</c> is the store's time, read before the
    /// listing, as a compaction reads it.
    /// </summary>
    public static async Task<LogCensus> TakeAsync(IObjectStore store, string logPrefix, ManifestCache manifests, AppendLogOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A manifest listed a moment ago may be collected by a compaction: then it lists again.
        GarbagePlan plan = await Relisting.RetryWhenVanishedAsync(_ => GarbagePlan.TakeAsync(store, logPrefix, manifests, options, now, cancellationToken)).ConfigureAwait(false);
        return Of(plan);
    }

    private static LogCensus Of(GarbagePlan plan)
    {
        LogInventory inventory = plan.Inventory;
        LogSnapshot snapshot = plan.Snapshot;
        var garbage = plan.Objects.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        List<CensusEntry> entries = inventory.InKeyOrder()
            .Select(e => new CensusEntry(e.Meta, e.Name, e.Name is { } name ? StateOf(e.Meta.Key, name) : ObjectState.Foreign))
            .ToList();
        return new LogCensus(inventory, entries);

        // Superseded before garbage: a superseded object is collected too, once its grace has passed.
        ObjectState StateOf(string key, LogObjectName name)
            => plan.Superseded.Contains(key) ? ObjectState.Superseded
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
            => inventory.MergedData.TryGetValue(dataName, out ListedName data) ? StateOf(data.Meta.Key, data.Name) : ObjectState.Uncommitted;

        bool IsCommitted(string dataName)
            => inventory.MergedData.TryGetValue(dataName, out ListedName data)
                && inventory.Manifests.TryGetValue(dataName, out ListedName manifest)
                && MergeCommit.IsTimely(data.Meta, manifest.Meta);
    }
}
