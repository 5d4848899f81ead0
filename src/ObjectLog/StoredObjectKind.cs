namespace ObjectLog;

/// <summary>What a stored object under a log's prefix is, judged by its name alone (see docs/format.md): <see cref="StoredObject.Kind"/>.</summary>
public enum StoredObjectKind
{
    /// <summary>One flushed batch of events.</summary>
    Batch,

    /// <summary>Merged data: the events of a run of batches, written by a compaction.</summary>
    Merged,

    /// <summary>The commit record of merged data, named after it.</summary>
    Manifest,

    /// <summary>The end marker of merged data, sorting where its last batch sorts.</summary>
    EndMarker,

    /// <summary>A trim record: every batch before its cutoff is gone for readers.</summary>
    Trim,

    /// <summary>A name the log does not write (in a folder below the prefix, or not matching the naming scheme): not ObjectLog's.</summary>
    Foreign,
}
