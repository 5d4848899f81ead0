using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// One read in a plan: a whole object, a byte range of a merged object, or a batch still in memory. Units come
/// in log order and never hold the same batch twice.
/// </summary>
internal sealed class ReadUnit
{
    /// <summary>The first batch this unit holds.</summary>
    public required string FirstBatch { get; init; }

    /// <summary>The last batch this unit holds.</summary>
    public required string LastBatch { get; init; }

    /// <summary>The object to read, or <see langword="null"/> for a batch in this writer's memory.</summary>
    public string? Key { get; init; }

    /// <summary>How the object's bytes are encoded, by its name; <see cref="LogCompression.None"/> for memory.</summary>
    public LogCompression Encoding => Key is null ? LogCompression.None : LogObjectName.EncodingOfData(Key);

    /// <summary>The part of the object to read; <see langword="null"/> for all of it.</summary>
    public ByteRange? Range { get; init; }

    /// <summary>
    /// The batches in this unit with their line counts, when a manifest gives them; <see langword="null"/> for a
    /// single batch object, for memory, and for merged data read whole without its manifest.
    /// </summary>
    public IReadOnlyList<ManifestBatch>? Batches { get; init; }

    /// <summary>
    /// The CRC-32C of the whole object, when its name carries one and the unit reads all of it; a unit with
    /// <see cref="Batches"/> is checked batch by batch where the manifest gives their checksums.
    /// </summary>
    public uint? Crc { get; init; }

    /// <summary>
    /// Whether reading the unit checks its bytes: batch by batch when the manifest gives every batch's CRC-32C,
    /// otherwise whole against <see cref="Crc"/>. (See the read path's checksum check.)
    /// </summary>
    public bool IsChecksummed => ChecksumsBatches || Crc is not null;

    /// <summary>Whether the manifest gives every batch of the unit its CRC-32C, so each is checked on its own.</summary>
    internal bool ChecksumsBatches => Batches is not null && Batches.All(b => b.Crc is not null);

    /// <summary>How many bytes the unit reads.</summary>
    public required long Size { get; init; }

    /// <summary>The whole object's size (0 for memory), so the parts of one object that a plan reads tell whether they cover it.</summary>
    public long ObjectSize { get; init; }

    /// <summary>
    /// For a single batch object, when the store stamped it (its listing's <see cref="ObjectMeta.LastModified"/>): what
    /// a trim compares (see <see cref="TrimRecord"/>), and what a compaction keeps in its manifest.
    /// </summary>
    public DateTimeOffset? StoredAt { get; init; }

    /// <summary>The bytes of a batch in memory.</summary>
    public ReadOnlyMemory<byte> Memory { get; init; }

    /// <summary>
    /// The unit that reads a run of consecutive batches of one stored object by their manifest entries: by byte
    /// range, or whole (checked against <paramref name="crc"/>, the whole object's checksum) when the run is all of it.
    /// </summary>
    public static ReadUnit OfBatches(string key, List<ManifestBatch> run, long objectSize, uint? crc)
    {
        long start = run[0].Offset;
        long end = run[^1].Offset + run[^1].Length;
        bool whole = start == 0 && end == objectSize;
        return new ReadUnit
        {
            FirstBatch = run[0].Name,
            LastBatch = run[^1].Name,
            Key = key,
            Range = whole ? null : new ByteRange(start, end - start),
            Batches = run,
            Size = end - start,
            ObjectSize = objectSize,
            Crc = whole ? crc : null,
        };
    }
}
