namespace ObjectLog.S3;

/// <summary>Settings for <see cref="S3ObjectStore"/>. Each setter checks its value and throws on one that can't work.</summary>
public sealed class S3ObjectStoreOptions
{
    /// <summary>The smallest part S3 accepts in a multipart upload (all but the last part): 5 MiB.</summary>
    public const int MinPartSize = 5 * 1024 * 1024;

    /// <summary>The largest part size this store buffers: 512 MiB (S3 itself allows 5 GiB).</summary>
    public const int MaxPartSize = 512 * 1024 * 1024;

    /// <summary>
    /// Objects up to this many bytes go in one PUT; larger ones are uploaded in parts of this size. Default 8 MiB.
    /// </summary>
    /// <remarks>
    /// A put holds at most one part in memory, whatever the object's size, so this is also the memory a put
    /// costs. S3 allows 10,000 parts, so the default caps an object at about 80 GiB; batches and compacted
    /// objects are far smaller. Each part is one billed request: larger parts mean fewer requests for large
    /// objects and more memory per put.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is below <see cref="MinPartSize"/> or above <see cref="MaxPartSize"/>.</exception>
    public int PartSize { get; set => field = Within(value, MinPartSize, MaxPartSize); } = 8 * 1024 * 1024;

    /// <summary>
    /// Whether uploads use <c>aws-chunked</c> transfer framing (the SDK's <c>UseChunkEncoding</c>).
    /// <see langword="null"/> (the default) turns it off for <c>http://</c> endpoints and leaves the SDK's
    /// default elsewhere.
    /// </summary>
    /// <remarks>
    /// Some S3-compatible servers (s3rver among them) don't decode <c>aws-chunked</c> bodies and store the
    /// framing as part of the object, so what comes back differs from what was written. Turn it off for any
    /// such server, whatever its scheme.
    /// </remarks>
    public bool? UseChunkEncoding { get; set; }

    /// <summary>
    /// Whether the server enforces <c>If-None-Match: *</c> on PUT, so that create-only puts are atomic. Default
    /// <see langword="true"/> (Amazon S3, Ceph RGW, MinIO).
    /// </summary>
    /// <remarks>
    /// Set it to <see langword="false"/> for a server that ignores the header (s3rver): create-only puts then
    /// check for the key first and write second, which two racing writers can both pass, and
    /// <see cref="S3ObjectStore.SupportsCreateOnly"/> says so.
    /// </remarks>
    public bool SupportsCreateOnly { get; set; } = true;

    /// <summary>
    /// Whether the server enforces <c>If-Match</c> on PUT, so that <see cref="ObjectLog.Storage.PutMode.Update"/> is
    /// atomic and <see cref="S3ObjectStore.SupportsConditionalUpdate"/> is <see langword="true"/>. Default
    /// <see langword="true"/> (Amazon S3 since 2024, Ceph RGW).
    /// </summary>
    /// <remarks>
    /// Set it to <see langword="false"/> for a server that ignores the header (s3rver): an update there would
    /// silently replace another writer's object. The store then refuses versioned reads and puts with
    /// <see cref="NotSupportedException"/>, and what needs them (a consumer's lease) refuses to run.
    /// </remarks>
    public bool SupportsConditionalUpdate { get; set; } = true;

    /// <summary>
    /// Whether single-request PUTs send the CRC-32C ObjectLog computed for an object (<c>x-amz-checksum-crc32c</c>),
    /// for the server to check against the bytes it receives. Default <see langword="true"/>.
    /// </summary>
    /// <remarks>
    /// Amazon S3 and MinIO verify it and refuse damaged bytes. A server that refuses the header is asked again
    /// without it, once, and the store stops sending it; one that ignores it (s3rver) stores the object unchecked.
    /// Either way readers still check every object against the checksum in its name.
    /// </remarks>
    public bool SendChecksums { get; set; } = true;

    private static int Within(int value, int least, int most)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, least, nameof(value));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, most, nameof(value));
        return value;
    }
}
