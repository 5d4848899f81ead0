namespace ObjectLog.Cli;

/// <summary>What <c>verify --json</c> prints: the <see cref="VerifyReport"/>'s counts and its problems' messages, and with <c>--repair</c> how many objects the repair deleted (null without).</summary>
internal sealed record VerifyJson(bool Sound, long Events, long Bytes, int BatchObjects, int MergedObjects, int UncommittedMerges, int ForeignObjects, IReadOnlyList<string> Problems, IReadOnlyList<string> StaleStagedFiles, IReadOnlyList<string> UnverifiedObjects, int? RepairDeleted);
