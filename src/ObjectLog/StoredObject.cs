using ObjectLog.Internal;
using ObjectLog.Storage;

namespace ObjectLog;

/// <summary>
/// A stored object under a log's prefix, what its name says it is, and its state as a compaction would see it now:
/// what <see cref="AppendLog.ListStoredObjectsAsync"/> returns, for tools that show or count every object of a log
/// (<c>objlog ls</c> and <c>objlog stats</c>), where <see cref="LiveObject"/> is only what a reader reads.
/// </summary>
public sealed class StoredObject
{
    internal StoredObject(ObjectMeta meta, StoredObjectKind kind, StoredObjectState state)
    {
        Meta = meta;
        Kind = kind;
        State = state;
    }

    /// <summary>The object as the store listed it: its key (the log's prefix included), size and last-modified time.</summary>
    public ObjectMeta Meta { get; }

    /// <summary>What its name says it is; <see cref="StoredObjectKind.Foreign"/> exactly when <see cref="State"/> is <see cref="StoredObjectState.Foreign"/>.</summary>
    public StoredObjectKind Kind { get; }

    /// <summary>What it is to readers and to compaction.</summary>
    public StoredObjectState State { get; }

    /// <summary>
    /// What an object is by its name alone, without listing the log or reading its manifests (for an object whose
    /// state cannot be told, or a tool reading the store directly).
    /// </summary>
    /// <param name="name">The object's key without the log's prefix and the slash after it.</param>
    /// <returns>Its kind; <see cref="StoredObjectKind.Foreign"/> for a name in a folder below the prefix or one the log does not write.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    public static StoredObjectKind KindOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return LogInventory.Classify(name) is { } parsed ? ToKind(parsed.Kind) : StoredObjectKind.Foreign;
    }

    /// <summary>Every object of <paramref name="census"/>, in its key order.</summary>
    internal static IReadOnlyList<StoredObject> ListOf(LogCensus census)
        => [.. census.Entries.Select(e => new StoredObject(e.Meta, e.Name is { } name ? ToKind(name.Kind) : StoredObjectKind.Foreign, ToState(e.State)))];

    private static StoredObjectKind ToKind(LogObjectKind kind) => kind switch
    {
        LogObjectKind.Batch => StoredObjectKind.Batch,
        LogObjectKind.Merged => StoredObjectKind.Merged,
        LogObjectKind.Manifest => StoredObjectKind.Manifest,
        LogObjectKind.EndMarker => StoredObjectKind.EndMarker,
        LogObjectKind.Trim => StoredObjectKind.Trim,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static StoredObjectState ToState(ObjectState state) => state switch
    {
        ObjectState.Live => StoredObjectState.Live,
        ObjectState.Superseded => StoredObjectState.Superseded,
        ObjectState.Uncommitted => StoredObjectState.Uncommitted,
        ObjectState.Garbage => StoredObjectState.Garbage,
        ObjectState.Foreign => StoredObjectState.Foreign,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}
