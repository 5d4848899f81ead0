namespace ObjectLog.Azure;

/// <summary>Settings for <see cref="AzureBlobObjectStore"/>. Each setter checks its value and throws on one that can't work.</summary>
public sealed class AzureBlobObjectStoreOptions
{
    /// <summary>The smallest block size accepted: 64 KiB.</summary>
    public const int MinBlockSize = 64 * 1024;

    /// <summary>The largest block size accepted: 512 MiB (Azure itself allows 4,000 MiB).</summary>
    public const int MaxBlockSize = 512 * 1024 * 1024;

    /// <summary>
    /// Objects up to this many bytes go in one <c>Put Blob</c>; larger ones are staged as blocks of this size and
    /// committed with one <c>Put Block List</c>. Default 8 MiB.
    /// </summary>
    /// <remarks>
    /// A put holds at most <see cref="MaxConcurrency"/> blocks in memory, whatever the object's size. A blob
    /// has at most 50,000 blocks, so the default caps an object at about 390 GiB. Each block is one billed
    /// request.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is below <see cref="MinBlockSize"/> or above <see cref="MaxBlockSize"/>.</exception>
    public int BlockSize { get; set => field = Within(value, MinBlockSize, MaxBlockSize); } = 8 * 1024 * 1024;

    /// <summary>How many blocks of one large put are in flight at once. Default 2; between 1 and 16.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1 or above 16.</exception>
    public int MaxConcurrency { get; set => field = Within(value, 1, 16); } = 2;

    /// <summary>
    /// Whether uploads of checksummed objects (the log's batches and merged objects) carry Azure's transactional
    /// MD5 (<c>Content-MD5</c>, computed by the SDK over the bytes it sends and checked by the service), so bytes
    /// damaged on the way are refused. Default <see langword="true"/>.
    /// </summary>
    /// <remarks>
    /// Azure has no CRC-32C header, so the log's own checksum cannot be sent; readers check it either way. The MD5
    /// costs CPU: about 1.5 ms for a 728 KiB batch, a fifth of a PUT's time against Azurite on loopback, little
    /// against a real service's latency. (Azure's CRC64 alternative is refused by Azurite.)
    /// </remarks>
    public bool SendChecksums { get; set; } = true;

    private static int Within(int value, int least, int most)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, least, nameof(value));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, most, nameof(value));
        return value;
    }
}
