namespace ObjectLog;

/// <summary>
/// How a writer or a compaction encodes the data objects it stores (<see cref="AppendLogOptions.Compression"/>). Each
/// batch is one frame of its own, compressed once, before its first PUT; merged objects concatenate their batches'
/// frames, so every data object is itself a valid <c>.jsonl.zst</c> or <c>.jsonl.gz</c> file.
/// </summary>
/// <remarks>
/// Readers decode by an object's name (<c>….jsonl</c>, <c>….jsonl.gz</c>, <c>….jsonl.zst</c>), whatever this setting
/// is, so writers with different settings can share a prefix and a log can change its setting at any time.
/// </remarks>
public enum LogCompression
{
    /// <summary>Plain JSON Lines (<c>….jsonl</c>), as ObjectLog stored before compression.</summary>
    None = 0,

    /// <summary>One gzip member a batch (<c>….jsonl.gz</c>), with <see cref="System.IO.Compression"/> at its optimal level (zlib level 6).</summary>
    Gzip = 1,

    /// <summary>One Zstandard frame a batch (<c>….jsonl.zst</c>), at level 3; the default.</summary>
    Zstd = 2,
}
