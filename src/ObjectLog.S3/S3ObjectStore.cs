using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using ObjectLog.Storage;
using StoreByteRange = ObjectLog.Storage.ByteRange;

namespace ObjectLog.S3;

/// <summary>
/// A store on one Amazon S3 bucket, or a bucket on any S3-compatible server (Ceph RGW, MinIO, s3rver), through
/// AWSSDK.S3. Key <c>a/b</c> is object <c>a/b</c> in the bucket.
/// </summary>
/// <remarks>
/// <para>
/// Puts of up to <see cref="S3ObjectStoreOptions.PartSize"/> bytes are one <c>PutObject</c>; larger ones are a
/// multipart upload that holds one part in memory at a time and is aborted if any step fails, so no partial
/// object is ever visible. Create-only puts send <c>If-None-Match: *</c>; a 412 becomes
/// <see cref="ObjectAlreadyExistsException"/>. For a multipart create-only put the header goes on
/// <c>CompleteMultipartUpload</c>, which Amazon S3 enforces and some servers (Ceph RGW 16) ignore: there the
/// store checks for the key before it starts, a best effort that a racing writer can beat. An error reading the
/// caller's content stream propagates unchanged.
/// </para>
/// <para>
/// Every SDK error is translated at the store's edge: 404 on an object becomes <see cref="ObjectNotFoundException"/>, a missing
/// bucket or refused credentials an <see cref="ObjectStoreException"/> naming the bucket and endpoint, and
/// 5xx, 429, throttling, timeouts and unreachable endpoints an <see cref="ObjectStoreException"/> with
/// <see cref="ObjectStoreException.IsTransient"/> set. Messages never carry credentials.
/// </para>
/// <para>
/// The client is the caller's: configure its retries and timeouts there, and dispose it after the store. For an
/// S3-compatible endpoint, <see cref="CreateClient"/> makes one with settings such servers need.
/// </para>
/// </remarks>
public sealed class S3ObjectStore : IObjectStore
{
    private const int MaxConflictRetries = 3;

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly int _partSize;
    private readonly bool _supportsCreateOnly;
    private readonly bool _supportsConditionalUpdate;
    private readonly bool? _useChunkEncoding;
    private readonly string _endpoint;
    private readonly S3ChecksumNegotiation _checksums;
    private readonly S3IfMatchForm _ifMatch = new();
    private readonly S3ErrorTranslator _errors;
    private readonly S3ServerClock _clock;
    private readonly S3MultipartUploader _multipart;
    private readonly S3BulkDelete _bulkDelete;

    /// <summary>Creates a store on <paramref name="bucketName"/>, which must exist.</summary>
    /// <param name="client">The S3 client; the store does not dispose it.</param>
    /// <param name="bucketName">The bucket that holds the objects.</param>
    /// <param name="options">Settings; the defaults if <see langword="null"/>. The store copies them, so later changes have no effect.</param>
    /// <exception cref="ArgumentException"><paramref name="bucketName"/> is empty or only whitespace.</exception>
    public S3ObjectStore(IAmazonS3 client, string bucketName, S3ObjectStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(bucketName);
        options ??= new S3ObjectStoreOptions();
        _client = client;
        _bucket = bucketName;
        _partSize = options.PartSize;
        _supportsCreateOnly = options.SupportsCreateOnly;
        _supportsConditionalUpdate = options.SupportsConditionalUpdate;
        _endpoint = S3ClientFactory.DescribeEndpoint(client.Config);
        _useChunkEncoding = options.UseChunkEncoding
            ?? (_endpoint.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || client.Config.UseHttp ? false : null);
        _checksums = new S3ChecksumNegotiation(options.SendChecksums);
        _errors = new S3ErrorTranslator(client, bucketName, _endpoint);
        _clock = new S3ServerClock(client, bucketName, _endpoint, _errors);
        _multipart = new S3MultipartUploader(client, bucketName, _useChunkEncoding);
        _bulkDelete = new S3BulkDelete(client, bucketName, _endpoint, _errors, this);
    }

    /// <summary>The client, for tests of the settings a store URL gives it.</summary>
    internal IAmazonS3 Client => _client;

    /// <summary>The bucket this store writes to.</summary>
    public string BucketName => _bucket;

    /// <inheritdoc />
    /// <remarks>As configured by <see cref="S3ObjectStoreOptions.SupportsCreateOnly"/>.</remarks>
    public bool SupportsCreateOnly => _supportsCreateOnly;

    /// <inheritdoc />
    /// <remarks>
    /// As configured by <see cref="S3ObjectStoreOptions.SupportsConditionalUpdate"/>. Versions are the ETags S3
    /// returns, quotes included, the same from <see cref="GetVersionedAsync"/>, <see cref="PutVersionedAsync"/> and
    /// listings.
    /// </remarks>
    public bool SupportsConditionalUpdate => _supportsConditionalUpdate;

    /// <inheritdoc />
    /// <remarks>ListObjectsV2 returns keys in UTF-8 byte order, which is ordinal order for the ASCII names a log uses. (S3 Express directory buckets do not; readers only lose a head start there: they stop at the first key out of order.)</remarks>
    public bool ListsInKeyOrder => true;

    /// <summary>
    /// Makes a client for an S3-compatible endpoint: path-style addressing, and checksums only where an operation
    /// requires them (Ceph RGW rejects the SDK's default trailing checksums with <c>XAmzContentSHA256Mismatch</c>).
    /// </summary>
    /// <param name="serviceUrl">The endpoint, such as <c>http://127.0.0.1:7480</c>.</param>
    /// <param name="accessKeyId">The access key id.</param>
    /// <param name="secretAccessKey">The secret key. It signs requests and never appears in an error message.</param>
    /// <param name="region">The signing region; most compatible servers accept any.</param>
    /// <param name="maxErrorRetry">How many times the SDK retries a failed request (transient errors only).</param>
    public static IAmazonS3 CreateClient(Uri serviceUrl, string accessKeyId, string secretAccessKey, string region = "us-east-1", int maxErrorRetry = 3)
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        ArgumentException.ThrowIfNullOrEmpty(secretAccessKey);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentOutOfRangeException.ThrowIfNegative(maxErrorRetry);
        return S3ClientFactory.CreateCompatibleClient(serviceUrl, accessKeyId, secretAccessKey, region, maxErrorRetry);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The <c>Date</c> header of a one-key listing of a prefix no log uses (one LIST request): the server's clock, to
    /// the second. A client that is not the SDK's own (a test double) has no headers to read: this machine's clock.
    /// </remarks>
    public ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default) => _clock.ReadAsync(cancellationToken);

    /// <inheritdoc />
    public Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default)
        => PutCoreAsync(key, content, mode, null, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// A single-request PUT carries the checksum as <c>x-amz-checksum-crc32c</c>, which the server checks against
    /// the bytes it received (<see cref="S3ObjectStoreOptions.SendChecksums"/>); a server that refuses the header is
    /// asked again without it, and this store stops sending it. A multipart upload (objects larger than
    /// <see cref="S3ObjectStoreOptions.PartSize"/>) does not send it.
    /// </remarks>
    public Task PutAsync(string key, Stream content, PutMode mode, uint crc32C, CancellationToken cancellationToken = default)
        => PutCoreAsync(key, content, mode, crc32C, cancellationToken);

    private async Task PutCoreAsync(string key, Stream content, PutMode mode, uint? crc32C, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        VersionedPut.RefuseUpdate(mode);
        cancellationToken.ThrowIfCancellationRequested();
        bool create = mode == PutMode.Create;
        try
        {
            if (create && !_supportsCreateOnly && await ExistsAsync(key, cancellationToken).ConfigureAwait(false))
            {
                throw new ObjectAlreadyExistsException(key);
            }

            if (ObjectStreams.TryGetMemory(content, out ReadOnlyMemory<byte> bytes) && bytes.Length <= _partSize && MemoryMarshal.TryGetArray(bytes, out ArraySegment<byte> segment))
            {
                // The log's own batches: already in memory, so PUT them from where they are, without a copy.
                await PutSingleAsync(key, () => new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false), create, crc32C, cancellationToken).ConfigureAwait(false);
                return;
            }

            using var buffer = new PartBuffer(_partSize, content.CanSeek ? content.Length - content.Position : null);
            await buffer.FillAsync(content, cancellationToken).ConfigureAwait(false);
            if (!buffer.HoldsMoreThanOnePart)
            {
                await PutSingleAsync(key, () => buffer.OpenRead(buffer.Count), create, crc32C, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (create && _supportsCreateOnly && await ExistsAsync(key, cancellationToken).ConfigureAwait(false))
                {
                    throw new ObjectAlreadyExistsException(key); // fail early; the real check is on completion
                }

                await _multipart.UploadAsync(key, content, buffer, create, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ContentReadException e)
        {
            ExceptionDispatchInfo.Throw(e.InnerException!); // the caller's stream failed, not S3
        }
        catch (Exception e) when (S3ErrorTranslator.IsSdkFailure(e, cancellationToken))
        {
            throw _errors.Translate(e, key, "writing", cancellationToken);
        }
    }

    /// <inheritdoc />
    /// <remarks>One <c>GetObject</c>: the bytes and the ETag of one response.</remarks>
    public async Task<VersionedObject> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        RefuseUnlessConditionalUpdate();
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using GetObjectResponse response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = key }, cancellationToken).ConfigureAwait(false);
            using var content = new MemoryStream(response.ContentLength is > 0 and <= int.MaxValue ? (int)response.ContentLength : 0);
            await response.ResponseStream.CopyToAsync(content, cancellationToken).ConfigureAwait(false);
            DateTimeOffset modified = response.LastModified is { } t ? new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero) : default;
            return new VersionedObject(key, content.ToArray(), response.ETag, modified);
        }
        catch (Exception e) when (S3ErrorTranslator.IsSdkFailure(e, cancellationToken))
        {
            throw _errors.Translate(e, key, "reading", cancellationToken);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One <c>PutObject</c> with <c>If-Match: ETAG</c> for an update (<c>If-None-Match: *</c> for a create); the
    /// server's 412, or 404 for an object deleted since, becomes <see cref="ObjectChangedException"/>. Until a
    /// server has accepted an update, a 412 is asked once more with the ETag unquoted, the form Ceph RGW compares.
    /// </remarks>
    public async Task<string> PutVersionedAsync(string key, ReadOnlyMemory<byte> content, PutMode mode, string? version, CancellationToken cancellationToken = default)
    {
        VersionedPut.Validate(key, mode, version);
        RefuseUnlessConditionalUpdate();
        cancellationToken.ThrowIfCancellationRequested();
        ArraySegment<byte> body = MemoryMarshal.TryGetArray(content, out ArraySegment<byte> segment) ? segment : content.ToArray();
        string? ifMatch = mode == PutMode.Update ? _ifMatch.First(version!) : null;
        try
        {
            while (true)
            {
                try
                {
                    string etag = await PutSingleAsync(key, () => new MemoryStream(body.Array!, body.Offset, body.Count, writable: false), mode == PutMode.Create, null, cancellationToken, ifMatch).ConfigureAwait(false);
                    if (ifMatch is not null)
                    {
                        _ifMatch.Accepted(ifMatch);
                    }

                    return etag;
                }
                catch (AmazonS3Exception e) when (ifMatch is not null && e.StatusCode == HttpStatusCode.PreconditionFailed && _ifMatch.Retry(ifMatch) is { } again)
                {
                    ifMatch = again; // a server that wants the ETag bare (see S3IfMatchForm)
                }
            }
        }
        catch (AmazonS3Exception e) when (mode == PutMode.Update && e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            throw new ObjectChangedException(key, version!, e);
        }
        catch (Exception e) when (S3ErrorTranslator.IsSdkFailure(e, cancellationToken))
        {
            throw _errors.Translate(e, key, "writing", cancellationToken);
        }
    }

    private void RefuseUnlessConditionalUpdate()
    {
        if (!_supportsConditionalUpdate)
        {
            throw new NotSupportedException($"This S3 store is configured without conditional updates (S3ObjectStoreOptions.SupportsConditionalUpdate, URL parameter conditional_update): its server at {_endpoint} is not trusted to enforce If-Match.");
        }
    }

    /// <inheritdoc />
    public async Task<Stream> GetAsync(string key, StoreByteRange? range = null, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            if (range is { Length: 0 })
            {
                // HTTP can't ask for zero bytes; the contract still wants NotFound for a missing key.
                await _client.GetObjectMetadataAsync(_bucket, key, cancellationToken).ConfigureAwait(false);
                return new MemoryStream([], writable: false);
            }

            var request = new GetObjectRequest { BucketName = _bucket, Key = key };
            if (range is { } r)
            {
                request.ByteRange = new Amazon.S3.Model.ByteRange(r.Offset, r.End - 1);
            }

            GetObjectResponse response;
            try
            {
                response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                // The SDK failed to parse the answer (seen: s3rver sending a malformed ETag for an object being
                // rewritten while it is read). Not the caller's argument: a transient failure, retried by readers.
                throw new ObjectStoreException($"S3 at {_endpoint} answered reading object '{key}' in bucket '{_bucket}' with a response the SDK could not read: {e.Message}", key, isTransient: true, e);
            }

            Stream body = ObjectStreams.TranslatingFailures(response.ResponseStream, e => e is AmazonClientException or IOException or HttpRequestException or TimeoutException, (e, ct) => _errors.TranslateBodyFailureAsync(e, key, ct));
            if (range is not { } asked)
            {
                return body;
            }

            // Some compatible servers answer a range with more than was asked (s3rver sends the whole object for
            // "bytes=0-0"), or with 200 and the whole object; never return more than the range.
            long available = response.ContentLength;
            if (response.HttpStatusCode == HttpStatusCode.OK && asked.Offset > 0)
            {
                await SkipAsync(body, asked.Offset, cancellationToken).ConfigureAwait(false);
                available = Math.Max(0, available - asked.Offset);
            }

            return ObjectStreams.Bounded(body, Math.Min(asked.Length, available));
        }
        catch (AmazonS3Exception e) when (range is not null && (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable || e.ErrorCode == "InvalidRange"))
        {
            return new MemoryStream([], writable: false); // the range starts at or past the end of an object that exists
        }
        catch (Exception e) when (S3ErrorTranslator.IsSdkFailure(e, cancellationToken))
        {
            throw _errors.Translate(e, key, "reading", cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            await _client.DeleteObjectAsync(_bucket, key, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            // Already gone: S3 itself answers 204 here, some compatible servers 404.
        }
        catch (Exception e) when (S3ErrorTranslator.IsSdkFailure(e, cancellationToken))
        {
            throw _errors.Translate(e, key, "deleting", cancellationToken);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One <c>DeleteObjects</c> request per 1,000 keys (S3's limit), up to 4 in flight. Each key's outcome is read
    /// from the response: a key S3 reports as an error is a failure with S3's code and message, and so is a key the
    /// response does not mention. A request that fails as a whole fails each of its keys with the translated error,
    /// except <c>501 Not Implemented</c> (a server without <c>DeleteObjects</c>): then its keys are deleted one by one.
    /// </remarks>
    public Task DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
        => _bulkDelete.DeleteManyAsync(keys, cancellationToken);

    /// <inheritdoc />
    /// <remarks>A server without <c>DeleteObjects</c> (see <see cref="DeleteManyAsync"/>) deletes one key a request instead.</remarks>
    public int MaxKeysPerDeleteRequest => S3BulkDelete.MaxKeysPerRequest;

    /// <inheritdoc />
    /// <remarks>Pages through <c>ListObjectsV2</c>, 1,000 keys a request, so results arrive in S3's (UTF-8 binary) order.</remarks>
    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        cancellationToken.ThrowIfCancellationRequested();
        var request = new ListObjectsV2Request
        {
            BucketName = _bucket,
            Prefix = prefix.Length == 0 ? null : prefix,
            StartAfter = startAfter,
            MaxKeys = 1000,
        };
        while (true)
        {
            ListObjectsV2Response page;
            try
            {
                page = await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (S3ErrorTranslator.IsSdkFailure(e, cancellationToken))
            {
                throw _errors.Translate(e, key: null, $"listing prefix '{prefix}' of", cancellationToken);
            }

            foreach (S3Object o in page.S3Objects ?? [])
            {
                if (ObjectKey.IsListed(o.Key, prefix, startAfter))
                {
                    yield return new ObjectMeta(o.Key, o.Size ?? 0, o.LastModified is { } t ? new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero) : default) { Version = o.ETag };
                }
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <summary>One <c>PutObject</c>, <c>If-None-Match: *</c> if <paramref name="create"/>, <c>If-Match</c> if <paramref name="ifMatch"/> is given; returns the new ETag.</summary>
    private async Task<string> PutSingleAsync(string key, Func<MemoryStream> openBody, bool create, uint? crc32C, CancellationToken cancellationToken, string? ifMatch = null)
    {
        for (int attempt = 0; ; attempt++)
        {
            using MemoryStream body = openBody();
            var request = new PutObjectRequest
            {
                BucketName = _bucket,
                Key = key,
                InputStream = body,
                AutoCloseStream = false,
                IfNoneMatch = create ? "*" : null,
                IfMatch = ifMatch,
                ContentType = ObjectContentType.For(key),
            };
            if (_useChunkEncoding is { } chunked)
            {
                request.UseChunkEncoding = chunked;
            }

            bool checksummed = _checksums.ShouldSend(crc32C);
            if (checksummed)
            {
                // The value alone goes out as x-amz-checksum-crc32c. Setting ChecksumAlgorithm as well would make the
                // SDK hash the body again itself (measured: 0.77 of the bare SDK's throughput for 728 KiB PUTs to
                // Ceph RGW, against 0.98 without).
                request.ChecksumCRC32C = S3ChecksumNegotiation.Encode(crc32C!.Value);
            }

            try
            {
                PutObjectResponse response = await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
                return response.ETag;
            }
            catch (AmazonS3Exception e) when (S3ErrorTranslator.IsConditionalConflict(e) && attempt < MaxConflictRetries)
            {
                // S3 answers 409 to a conditional write that races another; a retry gets the settled answer.
                await Task.Delay(TimeSpan.FromMilliseconds(50 << attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (checksummed && S3ChecksumNegotiation.IsUnsupported(e))
            {
                // A compatible server that does not know the header refuses the request: nothing was stored.
                _checksums.StopSending();
            }
            catch (AmazonS3Exception e) when (checksummed && S3ChecksumNegotiation.IsMismatch(e))
            {
                throw new ObjectStoreException(
                    $"S3 at {_endpoint} refused object '{key}' in bucket '{_bucket}': the bytes it received do not match the CRC-32C sent with them (damaged after they were checksummed, or on the way); nothing was stored.",
                    key, isTransient: true, e);
            }
        }
    }

    private static async Task SkipAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        byte[] scratch = new byte[(int)Math.Min(count, 81_920)];
        while (count > 0)
        {
            int n = await stream.ReadAsync(scratch.AsMemory(0, (int)Math.Min(count, scratch.Length)), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return;
            }

            count -= n;
        }
    }

    private async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await _client.GetObjectMetadataAsync(_bucket, key, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return false;
        }
    }
}
