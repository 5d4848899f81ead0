namespace ObjectLog.Internal;

/// <summary>One batch held by a merged object.</summary>
internal sealed class ManifestBatch
{
    public string Name { get; set; } = "";

    /// <summary>Where the batch starts in the merged data: the sum of the lengths before it.</summary>
    public long Offset { get; set; }

    public long Length { get; set; }

    public int Lines { get; set; }

    /// <summary>
    /// In compressed merged data, how many bytes the batch's frame decodes to (its JSON Lines); <see langword="null"/>
    /// in uncompressed data, where <see cref="Length"/> is that already.
    /// </summary>
    public long? Raw { get; set; }

    /// <summary>The CRC-32C of the batch's bytes; <see langword="null"/> in manifests written before checksums.</summary>
    public uint? Crc { get; set; }

    /// <summary>
    /// When the store stamped the batch's own object (to the microsecond, rounded up): what a trim compares, since a
    /// trim hides only what was stored before it. <see langword="null"/> in manifests written before it was kept;
    /// such a batch counts as stored before every trim, as those versions read it.
    /// </summary>
    public DateTimeOffset? Stored { get; set; }
}
