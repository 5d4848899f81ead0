namespace ObjectLog;

/// <summary>What one <see cref="AppendLog.TrimAsync"/> did: what it hid from readers, and what it deleted.</summary>
/// <param name="Before">
/// The cutoff it recorded (to the microsecond, rounded down): every batch whose time is earlier is gone for readers.
/// Earlier than the one asked for when a consumer held it (<see cref="HeldBy"/>); <see cref="DateTimeOffset.UnixEpoch"/>
/// when a consumer needs the log from its beginning, and nothing was recorded or deleted.
/// </param>
/// <param name="DeletedObjects">
/// Objects it deleted: those wholly before the effective cutoff, plus any other garbage a compaction would collect.
/// A merged object that also holds later batches keeps its trimmed bytes until a compaction rewrites it; a delete
/// that failed is left for the next trim or compaction (see <see cref="DeleteFailures"/>). Neither changes what readers see.
/// </param>
public sealed record TrimStats(DateTimeOffset Before, int DeletedObjects)
{
    /// <summary>
    /// The objects it meant to delete but could not, each with the store's reason, in key order; empty when every
    /// delete went through. A failed delete never fails the trim: its record is the commit, and readers already skip
    /// what it left.
    /// </summary>
    public IReadOnlyList<DeleteFailure> DeleteFailures { get; init => field = DeleteFailureList.Of(value); } = DeleteFailureList.Empty;

    /// <summary>
    /// How many batches readers saw before this trim and no longer do: those its record hides that no earlier trim
    /// hid. They are gone for readers whether or not any object was deleted: a merged object that also holds later
    /// batches keeps their bytes until a compaction rewrites it.
    /// </summary>
    public int HiddenBatches { get; init; }

    /// <summary>How many events those batches hold (from merged objects' manifests, or by reading each batch object once before it is deleted).</summary>
    public long HiddenEvents { get; init; }

    /// <summary>
    /// The named consumer that held the trim back (with <see cref="AppendLogOptions.RetentionRespectsConsumers"/>):
    /// the one that may still read the oldest batches, which <see cref="Before"/> stops short of; <see langword="null"/>
    /// when the trim cut where it was asked to.
    /// </summary>
    public string? HeldBy { get; init; }

    /// <summary>Merged objects that still hold bytes of hidden batches after it: the next compaction rewrites them without those.</summary>
    public int MergedObjectsHoldingTrimmed { get; internal init; }
}
