using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>An object of the log's own in a listing, with what its name says.</summary>
internal readonly record struct ListedName(LogObjectName Name, ObjectMeta Meta);

/// <summary>One object a listing returned, and what its name says it is: <see langword="null"/> when it is not the log's.</summary>
internal readonly record struct InventoryEntry(ObjectMeta Meta, LogObjectName? Name);

/// <summary>
/// One listing of a log's prefix sorted, once, by what each object's name says: batches, merged data, manifests, end
/// markers, trim records, and objects that are not the log's. Read path: <b>list</b> → plan → fetch window → frame
/// and check lines → events. Read planning, garbage plans, the census and verify all read it; none sorts a listing again.
/// </summary>
/// <remarks>
/// It also holds what the listed trim records mean (<see cref="Hides"/>): a trim is part of what a listing says.
/// </remarks>
internal sealed class LogInventory
{
    private readonly Dictionary<string, ListedName> _trims = new(StringComparer.Ordinal);
    private List<TrimRecord> _validTrims = [];
    private string? _maxFloor;

    private LogInventory(string logPrefix, string? listedAfter)
    {
        LogPrefix = logPrefix;
        ListedAfter = listedAfter;
    }

    /// <summary>The log's prefix: every key listed starts with it.</summary>
    public string LogPrefix { get; }

    /// <summary>Where the listing started (a <see cref="LogObjectName.FloorAt"/> string), or <see langword="null"/> for the whole prefix.</summary>
    public string? ListedAfter { get; }

    /// <summary>Batch objects by their identity (<see cref="LogObjectName.First"/>: the key may carry a checksum).</summary>
    public Dictionary<string, ObjectMeta> Batches { get; } = new(StringComparer.Ordinal);

    /// <summary>Merged data by name.</summary>
    public Dictionary<string, ListedName> MergedData { get; } = new(StringComparer.Ordinal);

    /// <summary>Manifests by the name of their merged data.</summary>
    public Dictionary<string, ListedName> Manifests { get; } = new(StringComparer.Ordinal);

    /// <summary>End markers by the name of their merged data.</summary>
    public Dictionary<string, ListedName> EndMarkers { get; } = new(StringComparer.Ordinal);

    /// <summary>The trim records listed, valid or not (see <see cref="TrimRecord.IsValid"/>).</summary>
    public IReadOnlyList<TrimRecord> Trims { get; private set; } = [];

    /// <summary>Objects that are not the log's: ignored, never touched.</summary>
    public List<ObjectMeta> Foreign { get; } = [];

    /// <summary>Every object listed, the log's or not, in the order listed (an object listed twice appears twice).</summary>
    public List<InventoryEntry> Entries { get; } = [];

    /// <summary>What the name of <paramref name="meta"/> says it is, or <see langword="null"/> when it is not the log's (the one test of that).</summary>
    public static LogObjectName? Classify(string logPrefix, ObjectMeta meta) => Classify(meta.Key[logPrefix.Length..]);

    /// <summary>What <paramref name="name"/> (relative to the log's prefix) is, if it is the log's: one of the log's names, directly under the prefix.</summary>
    public static LogObjectName? Classify(string name)
        => !name.Contains('/', StringComparison.Ordinal) && LogObjectName.TryParse(name, out LogObjectName parsed) ? parsed : null;

    /// <summary>The listing of the log from <paramref name="listAfter"/> on (see <see cref="TakeAsync"/>), as the store returns it.</summary>
    public static IAsyncEnumerable<ObjectMeta> List(IObjectStore store, string logPrefix, string? listAfter, CancellationToken cancellationToken)
        => store.ListAsync(logPrefix, listAfter is null ? null : logPrefix + listAfter, cancellationToken);

    /// <summary>Lists the log and sorts what it finds.</summary>
    /// <remarks>
    /// <paramref name="listAfter"/> is where the listing starts (a <see cref="LogObjectName.FloorAt"/> string), or
    /// <see langword="null"/> for the whole prefix. Every batch at or after it is still found: in its own object, in
    /// merged data that starts after it, or through the end marker of merged data that starts before it.
    /// </remarks>
    public static Task<LogInventory> TakeAsync(IObjectStore store, string logPrefix, string? listAfter, CancellationToken cancellationToken)
        => SortAsync(store, logPrefix, listAfter, List(store, logPrefix, listAfter, cancellationToken), cancellationToken);

    /// <summary>Sorts <paramref name="listing"/>, the store's listing of the log from <paramref name="listAfter"/> on (see <see cref="TakeAsync"/>).</summary>
    public static async Task<LogInventory> SortAsync(IObjectStore store, string logPrefix, string? listAfter, IAsyncEnumerable<ObjectMeta> listing, CancellationToken cancellationToken)
    {
        var inventory = new LogInventory(logPrefix, listAfter);
        await foreach (ObjectMeta meta in listing.ConfigureAwait(false))
        {
            inventory.Add(meta);
        }

        if (!store.ListsInKeyOrder)
        {
            // Trim records sort after every batch, so a listing in key order reaches them last: if none was there
            // then, no trim had begun deleting while the batches were listed. A store that lists in any order gets
            // that guarantee from a second, small listing made after the first one ended.
            await foreach (ObjectMeta meta in store.ListAsync(logPrefix + LogObjectName.TrimPrefix, null, cancellationToken).ConfigureAwait(false))
            {
                if (Classify(logPrefix, meta) is { Kind: LogObjectKind.Trim } parsed)
                {
                    inventory._trims[meta.Key[logPrefix.Length..]] = new ListedName(parsed, meta);
                    inventory.Entries.Add(new InventoryEntry(meta, parsed));
                }
            }
        }

        inventory.SettleTrims();
        return inventory;
    }

    /// <summary>Every object listed once, in key order (of an object listed twice, the later listing).</summary>
    public List<InventoryEntry> InKeyOrder()
    {
        var byKey = new Dictionary<string, InventoryEntry>(StringComparer.Ordinal);
        foreach (InventoryEntry entry in Entries)
        {
            byKey[entry.Meta.Key] = entry;
        }

        return [.. byKey.Values.OrderBy(e => e.Meta.Key, StringComparer.Ordinal)];
    }

    /// <summary>Whether a valid trim hides a batch: one named before its cutoff and stored before it was; never what was stored after it.</summary>
    public bool Hides(string batchName, DateTimeOffset storedAt)
    {
        foreach (TrimRecord t in _validTrims)
        {
            if (string.CompareOrdinal(batchName, t.Floor) < 0 && storedAt < t.StoredAt)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a trim may hide some of the batches from this name on (so a merged object's manifest is needed).</summary>
    public bool MayHide(string batchName) => _maxFloor is not null && string.CompareOrdinal(batchName, _maxFloor) < 0;

    /// <summary>Whether the trims hide every batch of committed merged data: each was stored before its manifest was.</summary>
    public bool HidesAll(LogObjectName name, ObjectMeta manifest) => Hides(name.Last, manifest.LastModified);

    /// <summary>Whether any valid trim record was listed.</summary>
    public bool AnyTrim => _validTrims.Count > 0;

    /// <summary>The valid trim records listed.</summary>
    public IReadOnlyList<TrimRecord> ValidTrims => _validTrims;

    private void Add(ObjectMeta meta)
    {
        LogObjectName? classified = Classify(LogPrefix, meta);
        Entries.Add(new InventoryEntry(meta, classified));
        if (classified is not { } parsed)
        {
            Foreign.Add(meta);
            return;
        }

        switch (parsed.Kind)
        {
            case LogObjectKind.Batch:
                Batches[parsed.First] = meta;
                break;
            case LogObjectKind.Merged:
                MergedData[parsed.DataName] = new ListedName(parsed, meta);
                break;
            case LogObjectKind.Manifest:
                Manifests[parsed.DataName] = new ListedName(parsed, meta);
                break;
            case LogObjectKind.EndMarker:
                EndMarkers[parsed.DataName] = new ListedName(parsed, meta);
                break;
            case LogObjectKind.Trim:
                _trims[meta.Key[LogPrefix.Length..]] = new ListedName(parsed, meta);
                break;
        }
    }

    private void SettleTrims()
    {
        Trims = _trims.Values.Select(t => new TrimRecord(t.Meta.Key, t.Name.First, t.Meta.LastModified)).ToList();
        _validTrims = Trims.Where(t => t.IsValid).ToList();
        _maxFloor = _validTrims.Count == 0 ? null : _validTrims.Select(t => t.Floor).Max(StringComparer.Ordinal);
    }
}
