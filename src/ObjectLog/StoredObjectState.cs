namespace ObjectLog;

/// <summary>
/// What a stored object under a log's prefix is to its readers and to compaction (see docs/format.md, "Live,
/// superseded, uncommitted, garbage"): <see cref="StoredObject.State"/>.
/// </summary>
public enum StoredObjectState
{
    /// <summary>A reader uses it: a batch or merged object a full read fetches, its manifest and end marker, a trim record in effect. Kept.</summary>
    Live,

    /// <summary>A batch or merged object (with its manifest and end marker) whose batches committed merged objects also hold, so a read takes them from there: deleted by a compaction after <see cref="AppendLogOptions.SupersededGracePeriod"/>.</summary>
    Superseded,

    /// <summary>Merged data (with its end marker) without a manifest that counts, young enough that a compaction may be committing it now (<see cref="AppendLogOptions.AbandonedMergeGracePeriod"/>): invisible to readers; committed, or garbage once older.</summary>
    Uncommitted,

    /// <summary>What a compaction, a trim or <c>objlog verify --repair</c> deletes and nothing else explains: abandoned merged data, manifests and end markers without their data, invalid or outdated trim records, what a trim hides.</summary>
    Garbage,

    /// <summary>Not ObjectLog's (its name is not one the log writes): ignored by readers, never touched.</summary>
    Foreign,
}
