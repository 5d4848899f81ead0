namespace ObjectLog;

/// <summary>What a compaction did.</summary>
/// <param name="MergedObjects">How many objects it merged; when nothing was merged, how many objects make up the log.</param>
/// <param name="Events">How many events the merged object holds (0 if nothing was merged).</param>
/// <param name="NewKey">The key of the merged object, or <see langword="null"/> if nothing was merged.</param>
public sealed record CompactionStats(int MergedObjects, long Events, string? NewKey)
{
    /// <summary>
    /// How many objects it deleted: what this and earlier compactions superseded (at once, or once their grace
    /// period passed) and merged data that was never committed. A compaction that merged nothing may still delete.
    /// </summary>
    public int DeletedObjects { get; init; }

    /// <summary>
    /// The objects it meant to delete but could not, each with the store's reason, in key order; empty when every
    /// delete went through. A failed delete never fails the compaction (deleting is garbage collection, not part of
    /// its commit) and changes nothing a reader sees; the next compaction or trim tries again.
    /// </summary>
    public IReadOnlyList<DeleteFailure> DeleteFailures { get; init => field = DeleteFailureList.Of(value); } = DeleteFailureList.Empty;
}
