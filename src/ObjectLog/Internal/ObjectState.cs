namespace ObjectLog.Internal;

/// <summary>What an object under a log's prefix is to its readers and to garbage collection (see docs/format.md, "Live, superseded, uncommitted, garbage").</summary>
internal enum ObjectState
{
    /// <summary>A reader uses it: a batch or merged object a full read fetches, its manifest and end marker, a trim record in effect.</summary>
    Live,

    /// <summary>A batch or merged object (with its manifest and marker) whose batches committed merged objects hold: read from there, deleted by a compaction after <see cref="AppendLogOptions.SupersededGracePeriod"/>.</summary>
    Superseded,

    /// <summary>Merged data (with its end marker) without a manifest that counts, within the commit window and <see cref="AppendLogOptions.AbandonedMergeGracePeriod"/>: a compaction may be committing it now.</summary>
    Uncommitted,

    /// <summary>What a compaction or <c>verify --repair</c> deletes and nothing else explains: abandoned merged data, manifests and end markers without their data, invalid or outdated trim records, what a trim hides.</summary>
    Garbage,

    /// <summary>Not ObjectLog's: ignored, never touched.</summary>
    Foreign,
}
