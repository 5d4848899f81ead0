namespace ObjectLog.Internal;

/// <summary>Where a sealed batch is in its life; a stored batch leaves the pipeline.</summary>
internal enum BatchState
{
    /// <summary>Never attempted: it may still be joined with the batches after it.</summary>
    Queued,

    /// <summary>A PUT of it is in flight.</summary>
    InFlight,

    /// <summary>Its last PUT failed; it is retried when a flush needs it, or once a later PUT succeeds.</summary>
    Failed,

    /// <summary>Failed, and a flush (or a success) asked for another attempt: it goes when a slot is free.</summary>
    Retry,
}

/// <summary>
/// A batch that has its name and whose bytes will not change once attempted: it is stored under that name, and
/// a retry after any failure (including one where the put landed but reported an error) sends the same bytes
/// under the same name, so it cannot duplicate. Before its first attempt it may absorb the never-attempted batches
/// sealed right after it (<see cref="LastSequence"/> then grows); after, never.
/// </summary>
internal sealed class SealedBatch(string name, long sequence, long lastSequence, EventBuffer events)
{
    /// <summary>Its name; changed only before its first attempt and before any reader copied it (see <see cref="WritePipeline"/>).</summary>
    public string Name { get; set; } = name;

    /// <summary>Order of sealing within this writer: the first sealed batch this object holds.</summary>
    public long Sequence { get; } = sequence;

    /// <summary>The last sealed batch this object holds; more than <see cref="Sequence"/> once batches were joined.</summary>
    public long LastSequence { get; } = lastSequence;

    public EventBuffer Events { get; } = events;

    public BatchState State { get; set; }

    /// <summary>
    /// The key (under the log prefix), CRC-32C and bytes of the stored object, fixed at the first attempt, when the
    /// events stop changing: the name with the checksum of exactly those bytes.
    /// </summary>
    public StoredForm? Stored { get; set; }

    /// <summary>The pipeline-wide number of this batch's latest attempt.</summary>
    public long Attempt { get; set; }
}

/// <summary>
/// What a sealed batch is stored as: its key (the name with its checksum and encoding), the CRC-32C of the stored
/// bytes, and those bytes (the events themselves, or one compressed frame of them).
/// </summary>
internal readonly record struct StoredForm(string Key, uint Crc, ReadOnlyMemory<byte> Bytes);
