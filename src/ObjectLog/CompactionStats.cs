namespace ObjectLog;

/// <summary>What a compaction did.</summary>
/// <param name="MergedObjects">How many objects it merged; when nothing was merged, how many objects make up the log.</param>
/// <param name="Events">How many events the merged object holds (0 if nothing was merged).</param>
/// <param name="NewKey">The key of the merged object, or <see langword="null"/> if nothing was merged.</param>
public sealed record CompactionStats(int MergedObjects, long Events, string? NewKey);
