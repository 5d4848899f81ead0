namespace ObjectLog.Cli;

/// <summary>
/// What <c>verify --json</c> prints: the <see cref="VerifyReport"/>'s counts (objects checked, and by state) and its problems' messages; with
/// <c>--repair</c> how many objects the repair deleted and each it could not, with why (both null without); the
/// spill files that compactions killed mid-merge left on this machine; the entries of a folder store that are not
/// the log's; and the events JSON Lines readers refuse (how many, and the first 100 named by object and line).
/// </summary>
internal sealed record VerifyJson(bool Sound, long Events, long Bytes, int BatchObjects, int MergedObjects, int UncommittedMerges, int ForeignObjects, IReadOnlyList<string> Problems, IReadOnlyList<string> StaleStagedFiles, IReadOnlyList<string> UnverifiedObjects, int? RepairDeleted, IReadOnlyList<DeleteFailure>? RepairFailures, IReadOnlyList<string> StaleSpillFiles, IReadOnlyList<ListedSpecialEntry> NotTheLogs, int LiveObjects, int SupersededObjects, int GarbageObjects, long NotJsonEvents, IReadOnlyList<string> NotJson);

/// <summary>An entry of a folder store that is not a regular file (counted in <c>foreign_objects</c>): its key, and what it is ("symbolic link", "FIFO"…).</summary>
internal sealed record ListedSpecialEntry(string Key, string What);
