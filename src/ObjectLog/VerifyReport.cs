namespace ObjectLog;

/// <summary>What <see cref="AppendLog.VerifyAsync"/> found: the objects it checked, and every problem, each naming its key.</summary>
public sealed class VerifyReport
{
    internal VerifyReport(int batchObjects, int mergedObjects, int uncommittedMerges, int foreignObjects, long events, long bytes, IReadOnlyList<VerifyProblem> problems, IReadOnlyList<string>? staleStagedFiles = null, IReadOnlyList<(string Key, string What)>? specialEntries = null)
    {
        BatchObjects = batchObjects;
        MergedObjects = mergedObjects;
        UncommittedMerges = uncommittedMerges;
        SpecialEntries = specialEntries ?? [];
        ForeignObjects = foreignObjects + SpecialEntries.Count;
        Events = events;
        Bytes = bytes;
        Problems = problems;
        StaleStagedFiles = staleStagedFiles ?? [];
    }

    /// <summary>Batch objects checked.</summary>
    public int BatchObjects { get; }

    /// <summary>Committed merged objects checked, each against its manifest.</summary>
    public int MergedObjects { get; }

    /// <summary>
    /// Merged data without a manifest that counts, younger than the commit window and
    /// <see cref="AppendLogOptions.AbandonedMergeGracePeriod"/>: a compaction that may still commit. Invisible to
    /// readers; not a problem. Older, it is counted in <see cref="GarbageObjects"/>.
    /// </summary>
    public int UncommittedMerges { get; }

    /// <summary>
    /// Objects a full read fetches now: batch objects no merged object holds, and committed merged objects (as
    /// <see cref="AppendLog.CountObjectsAsync"/> counts them). 0 when a manifest is corrupt, since no read can be planned.
    /// </summary>
    public int LiveObjects { get; internal init; }

    /// <summary>
    /// Batch and merged objects (with a merged object's manifest and end marker) whose batches committed merged
    /// objects hold: left by a compaction stopped before its deletes, or waiting out
    /// <see cref="AppendLogOptions.SupersededGracePeriod"/>. Readers read them elsewhere; a compaction deletes them; not a problem.
    /// </summary>
    public int SupersededObjects { get; internal init; }

    /// <summary>
    /// Other objects a compaction (or <c>objlog verify --repair</c>) would delete now: merged data never committed and
    /// older than <see cref="AppendLogOptions.AbandonedMergeGracePeriod"/> (with its end marker), manifests and end
    /// markers whose data is gone, invalid or outdated trim records, what a trim hides. Readers never use them; those
    /// a reader might mistake for something are also reported in <see cref="Problems"/>.
    /// </summary>
    public int GarbageObjects { get; internal init; }

    /// <summary>
    /// Objects under the prefix that are not ObjectLog's; ignored, as readers ignore them. On a
    /// <see cref="Storage.FileSystemObjectStore"/> this counts the entries that are not regular files too (symbolic
    /// links, FIFOs, sockets, devices), which the store never lists, opens or follows.
    /// </summary>
    public int ForeignObjects { get; }

    /// <summary>On a <see cref="Storage.FileSystemObjectStore"/>: the entries under the prefix that are not regular files, and what each is (counted in <see cref="ForeignObjects"/>).</summary>
    internal IReadOnlyList<(string Key, string What)> SpecialEntries { get; }

    /// <summary>Objects checked: <see cref="BatchObjects"/> plus <see cref="MergedObjects"/>.</summary>
    public int ObjectsChecked => BatchObjects + MergedObjects;

    /// <summary>Stored events the full read returned, each once and in order; 0 when an object had a problem (the read is then not made).</summary>
    public long Events { get; }

    /// <summary>Their bytes, newlines included.</summary>
    public long Bytes { get; }

    /// <summary>What is wrong, an entry per problem; empty for a sound log.</summary>
    public IReadOnlyList<VerifyProblem> Problems { get; }

    /// <summary>
    /// On a <see cref="Storage.FileSystemObjectStore"/>: staged files (<c>.objectlog-tmp/NAME</c>) older than
    /// <see cref="Storage.FileSystemObjectStore.StaleStagedFileAge"/>, left by writers that died during a put. They are the
    /// store's, shared by every log in its folder; they hold no acknowledged event, do not make the log unsound, and
    /// the store's next put removes them. Empty on other stores.
    /// </summary>
    public IReadOnlyList<string> StaleStagedFiles { get; }

    /// <summary>
    /// The spill files on this machine that compactions left behind when their process died mid-merge (in the temp
    /// folder every compaction spills to, whatever its log): full paths, in ordinal order. The next compaction that
    /// spills to disk deletes them; they hold no log's only copy of anything and do not make the log unsound.
    /// </summary>
    public IReadOnlyList<string> StaleSpillFiles { get; internal init; } = [];

    /// <summary>
    /// Keys of checked objects that carry no CRC-32C (written before ObjectLog checksummed its objects, or by another
    /// tool): their framing was checked, their bytes could not be. Not a problem; a compaction that merges them
    /// writes checksums.
    /// </summary>
    public IReadOnlyList<string> UnverifiedObjects { get; internal init; } = [];

    /// <summary>
    /// Stored events that are not one JSON value in valid UTF-8, counted in each object that holds them (an event
    /// both in a batch and in the merged object that superseded it counts twice). ObjectLog stores bytes, so they do
    /// not make the log unsound, but JSON Lines readers of its objects (DuckDB, Spark, Python's <c>json</c>) refuse
    /// them.
    /// </summary>
    public long NotJsonEvents { get; internal init; }

    /// <summary>The first 100 of <see cref="NotJsonEvents"/>, each naming the object's key and the event's line in it (from 1), and what is wrong.</summary>
    public IReadOnlyList<VerifyProblem> NotJsonEventProblems { get; internal init; } = [];

    /// <summary>Whether no problem was found.</summary>
    public bool IsSound => Problems.Count == 0;
}
