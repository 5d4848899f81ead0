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
/// Every SDK error is translated here: 404 on an object becomes <see cref="ObjectNotFoundException"/>, a missing
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
    private const int MaxKeysPerDeleteObjects = 1000;
    private const int MaxDeleteObjectsInFlight = 4;

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly int _partSize;
    private readonly bool _supportsCreateOnly;
    private readonly bool? _useChunkEncoding;
    private readonly string _endpoint;
    private bool _sendChecksums;

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
        _sendChecksums = options.SendChecksums;
        _endpoint = DescribeEndpoint(client.Config);
        _useChunkEncoding = options.UseChunkEncoding
            ?? (_endpoint.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || client.Config.UseHttp ? false : null);
    }

    /// <summary>The client, for tests of the settings a store URL gives it.</summary>
    internal IAmazonS3 Client => _client;

    /// <summary>The bucket this store writes to.</summary>
    public string BucketName => _bucket;

    /// <inheritdoc />
    /// <remarks>As configured by <see cref="S3ObjectStoreOptions.SupportsCreateOnly"/>.</remarks>
    public bool SupportsCreateOnly => _supportsCreateOnly;

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
        var config = new AmazonS3Config
        {
            ServiceURL = serviceUrl.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = maxErrorRetry,
        };
        return new AmazonS3Client(new BasicAWSCredentials(accessKeyId, secretAccessKey), config);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The <c>Date</c> header of a one-key listing of a prefix no log uses (one LIST request): the server's clock, to
    /// the second. A client that is not the SDK's own (a test double) has no headers to read: this machine's clock.
    /// </remarks>
    public async ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default)
    {
        if (_client is not AmazonServiceClient service)
        {
            return DateTimeOffset.UtcNow;
        }

        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = ".objectlog-clock/", MaxKeys = 1 };
        string? date = null;
        void OnResponse(object sender, ResponseEventArgs e)
        {
            if (e is WebServiceResponseEventArgs answer && ReferenceEquals(answer.Request, request)
                && answer.ResponseHeaders is { } headers && (headers.TryGetValue("Date", out string? d) || headers.TryGetValue("date", out d)))
            {
                date = d;
            }
        }

        service.AfterResponseEvent += OnResponse;
        try
        {
            await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsSdkFailure(e, cancellationToken))
        {
            throw Translate(e, key: null, "reading the clock of", cancellationToken);
        }
        finally
        {
            service.AfterResponseEvent -= OnResponse;
        }

        return date is not null && DateTimeOffset.TryParseExact(date, "r", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset time)
            ? time
            : throw new ObjectStoreException($"Reading the clock of bucket '{_bucket}' at {_endpoint} failed: its answer has no Date header ('{date}').", key: null, isTransient: false);
    }

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

                await PutMultipartAsync(key, content, buffer, create, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ContentReadException e)
        {
            ExceptionDispatchInfo.Throw(e.InnerException!); // the caller's stream failed, not S3
        }
        catch (Exception e) when (IsSdkFailure(e, cancellationToken))
        {
            throw Translate(e, key, "writing", cancellationToken);
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

            Stream body = ObjectStreams.TranslatingFailures(response.ResponseStream, e => e is AmazonClientException or IOException or HttpRequestException or TimeoutException, (e, ct) => TranslateBodyFailureAsync(e, key, ct));
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
        catch (Exception e) when (IsSdkFailure(e, cancellationToken))
        {
            throw Translate(e, key, "reading", cancellationToken);
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
        catch (Exception e) when (IsSdkFailure(e, cancellationToken))
        {
            throw Translate(e, key, "deleting", cancellationToken);
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
        => BulkDelete.DeleteInBatchesAsync(keys, MaxKeysPerDeleteObjects, MaxDeleteObjectsInFlight, DeleteChunkAsync, cancellationToken);

    /// <inheritdoc />
    /// <remarks>A server without <c>DeleteObjects</c> (see <see cref="DeleteManyAsync"/>) deletes one key a request instead.</remarks>
    public int MaxKeysPerDeleteRequest => MaxKeysPerDeleteObjects;

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
            catch (Exception e) when (IsSdkFailure(e, cancellationToken))
            {
                throw Translate(e, key: null, $"listing prefix '{prefix}' of", cancellationToken);
            }

            foreach (S3Object o in page.S3Objects ?? [])
            {
                if (ObjectKey.IsListed(o.Key, prefix, startAfter))
                {
                    yield return new ObjectMeta(o.Key, o.Size ?? 0, o.LastModified is { } t ? new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero) : default);
                }
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    private async Task DeleteChunkAsync(IReadOnlyList<string> keys, BulkDeleteOutcome outcome, CancellationToken cancellationToken)
    {
        var request = new DeleteObjectsRequest
        {
            BucketName = _bucket,
            Objects = keys.Select(k => new KeyVersion { Key = k }).ToList(),
            Quiet = false, // quiet mode lists only errors, so a key the server skipped would pass for deleted
        };
        DeleteObjectsResponse response;
        try
        {
            response = await _client.DeleteObjectsAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (DeleteObjectsException e) when (e.Response is not null)
        {
            response = e.Response; // the SDK throws when any key failed; the response still says which
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotImplemented)
        {
            // A compatible server without DeleteObjects (some have none): one DeleteObject a key still deletes them.
            await BulkDelete.DeleteEachAsync(this, keys, BulkDelete.DefaultConcurrency, outcome, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (IsSdkFailure(e, cancellationToken))
        {
            ObjectStoreException error = Translate(e, key: null, $"deleting {keys.Count} objects from", cancellationToken);
            foreach (string key in keys)
            {
                outcome.MarkFailed(key, error);
            }

            return;
        }

        var unreported = new HashSet<string>(keys, StringComparer.Ordinal);
        foreach (DeletedObject deleted in response.DeletedObjects ?? [])
        {
            if (deleted.Key is { } key && unreported.Remove(key))
            {
                outcome.MarkDeleted(key);
            }
        }

        foreach (DeleteError error in response.DeleteErrors ?? [])
        {
            if (error.Key is not { } key || !unreported.Remove(key))
            {
                continue;
            }

            if (error.Code == "NoSuchKey")
            {
                outcome.MarkDeleted(key); // already gone, as DeleteAsync treats it
            }
            else
            {
                outcome.MarkFailed(key, TranslateDeleteError(key, error));
            }
        }

        foreach (string key in unreported)
        {
            outcome.MarkFailed(key, new ObjectStoreException(
                $"S3 did not report deleting object '{key}' in bucket '{_bucket}' at {_endpoint}: its DeleteObjects response names neither a deletion nor an error for it.",
                key, isTransient: true));
        }
    }

    private ObjectStoreException TranslateDeleteError(string key, DeleteError error)
    {
        string code = string.IsNullOrEmpty(error.Code) ? "unknown error" : error.Code;
        string target = $"object '{key}' in bucket '{_bucket}' at {_endpoint}";
        if (code is "AccessDenied" or "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "ExpiredToken" or "InvalidToken")
        {
            return new ObjectStoreException($"S3 refused deleting {target} ({code}): check the access key, secret and the bucket's permissions.", key, isTransient: false);
        }

        bool transient = code is "InternalError" or "ServiceUnavailable" or "SlowDown" or "RequestTimeout" or "Throttling" or "ThrottlingException";
        return new ObjectStoreException($"S3 failed deleting {target} ({code}): {error.Message}", key, transient);
    }

    private async Task PutSingleAsync(string key, Func<MemoryStream> openBody, bool create, uint? crc32C, CancellationToken cancellationToken)
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
                ContentType = ObjectContentType.For(key),
            };
            if (_useChunkEncoding is { } chunked)
            {
                request.UseChunkEncoding = chunked;
            }

            bool checksummed = crc32C is not null && Volatile.Read(ref _sendChecksums);
            if (checksummed)
            {
                // The value alone goes out as x-amz-checksum-crc32c. Setting ChecksumAlgorithm as well would make the
                // SDK hash the body again itself (measured: 0.77 of the bare SDK's throughput for 728 KiB PUTs to
                // Ceph RGW, against 0.98 without).
                request.ChecksumCRC32C = EncodeCrc32C(crc32C!.Value);
            }

            try
            {
                await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (AmazonS3Exception e) when (IsConditionalConflict(e) && attempt < MaxConflictRetries)
            {
                // S3 answers 409 to a conditional write that races another; a retry gets the settled answer.
                await Task.Delay(TimeSpan.FromMilliseconds(50 << attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (checksummed && IsChecksumUnsupported(e))
            {
                // A compatible server that does not know the header refuses the request: nothing was stored.
                Volatile.Write(ref _sendChecksums, false);
            }
            catch (AmazonS3Exception e) when (checksummed && e.ErrorCode is "BadDigest" or "InvalidDigest" or "XAmzContentChecksumMismatch")
            {
                throw new ObjectStoreException(
                    $"S3 at {_endpoint} refused object '{key}' in bucket '{_bucket}': the bytes it received do not match the CRC-32C sent with them (damaged after they were checksummed, or on the way); nothing was stored.",
                    key, isTransient: true, e);
            }
        }
    }

    /// <summary>A CRC-32C as S3 wants it in <c>x-amz-checksum-crc32c</c>: its four bytes, big-endian, in base64.</summary>
    internal static string EncodeCrc32C(uint crc)
    {
        Span<byte> bytes = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, crc);
        return Convert.ToBase64String(bytes);
    }

    /// <summary>How a server that does not implement flexible checksums refuses a PUT carrying one.</summary>
    private static bool IsChecksumUnsupported(AmazonS3Exception e)
        => e.StatusCode is HttpStatusCode.NotImplemented
            || (e.StatusCode is HttpStatusCode.BadRequest && e.ErrorCode is "InvalidArgument" or "InvalidRequest" or "NotImplemented"
                && e.Message.Contains("checksum", StringComparison.OrdinalIgnoreCase));

    private async Task PutMultipartAsync(string key, Stream content, PartBuffer buffer, bool create, CancellationToken cancellationToken)
    {
        InitiateMultipartUploadResponse started = await _client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = _bucket, Key = key, ContentType = ObjectContentType.For(key) }, cancellationToken).ConfigureAwait(false);
        string uploadId = started.UploadId;
        try
        {
            var parts = new List<PartETag>();
            while (true)
            {
                bool last = !buffer.HoldsMoreThanOnePart;
                int length = last ? buffer.Count : buffer.PartSize;
                int partNumber = parts.Count + 1;
                using (MemoryStream body = buffer.OpenRead(length))
                {
                    var request = new UploadPartRequest
                    {
                        BucketName = _bucket,
                        Key = key,
                        UploadId = uploadId,
                        PartNumber = partNumber,
                        InputStream = body,
                        IsLastPart = last,
                    };
                    if (_useChunkEncoding is { } chunked)
                    {
                        request.UseChunkEncoding = chunked;
                    }

                    UploadPartResponse uploaded = await _client.UploadPartAsync(request, cancellationToken).ConfigureAwait(false);
                    parts.Add(new PartETag(partNumber, uploaded.ETag));
                }

                if (last)
                {
                    break;
                }

                buffer.Consume(length);
                await buffer.FillAsync(content, cancellationToken).ConfigureAwait(false);
            }

            await _client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest
                {
                    BucketName = _bucket,
                    Key = key,
                    UploadId = uploadId,
                    PartETags = parts,
                    IfNoneMatch = create ? "*" : null,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await AbortQuietlyAsync(key, uploadId).ConfigureAwait(false);
            throw;
        }
    }

    private async Task AbortQuietlyAsync(string key, string uploadId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = uploadId }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsSdkFailure(e, CancellationToken.None) || e is OperationCanceledException)
        {
            // The parts stay until a bucket lifecycle rule removes them; they are never visible as an object.
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

    private static bool IsConditionalConflict(AmazonS3Exception e)
        => e.StatusCode == HttpStatusCode.Conflict && e.ErrorCode == "ConditionalRequestConflict";

    /// <summary>Whether <paramref name="e"/> is a failure of the SDK or the network (as opposed to our own exception or the caller's cancellation).</summary>
    private static bool IsSdkFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        ObjectStoreException => false,
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // a timeout, not the caller
        AmazonServiceException or AmazonClientException or HttpRequestException or IOException or TimeoutException => true, // the SDK throws TimeoutException when an attempt outlives its Timeout
        _ => false,
    };

    private ObjectStoreException Translate(Exception e, string? key, string action, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string target = key is null ? $"bucket '{_bucket}'" : $"object '{key}' in bucket '{_bucket}'";
        if (e is AmazonServiceException { StatusCode: not 0 } s && s.InnerException is not HttpRequestException)
        {
            string code = string.IsNullOrEmpty(s.ErrorCode) ? ((int)s.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : s.ErrorCode;
            int status = (int)s.StatusCode;
            switch (s.StatusCode, s.ErrorCode)
            {
                case (HttpStatusCode.NotFound, "NoSuchBucket"):
                    return new ObjectStoreException($"S3 bucket '{_bucket}' does not exist at {_endpoint}.", key, isTransient: false, e);
                case (HttpStatusCode.NotFound, _) when key is not null:
                    return new ObjectNotFoundException(key, e);
                case (HttpStatusCode.PreconditionFailed, _) when key is not null:
                    return new ObjectAlreadyExistsException(key, e);
                case (HttpStatusCode.Forbidden, _):
                case (_, "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "AccessDenied" or "ExpiredToken" or "InvalidToken"):
                    return new ObjectStoreException(
                        $"S3 refused {action} {target} at {_endpoint} ({status} {code}): check the access key, secret and the bucket's permissions.",
                        key, isTransient: false, e);
                case (HttpStatusCode.Conflict, "ConditionalRequestConflict"):
                    return new ObjectStoreException($"S3 {action} {target} conflicted with a concurrent conditional write; retry.", key, isTransient: true, e);
            }

            bool transient = status >= 500 || status == 429 || status == 408
                || code is "SlowDown" or "RequestTimeout" or "Throttling" or "ThrottlingException" or "RequestTimeTooSkewed";
            return new ObjectStoreException($"S3 failed {action} {target} at {_endpoint} ({status} {code}): {s.Message}", key, transient, e);
        }

        if (IsMissingCredentials(e))
        {
            return new ObjectStoreException(
                $"S3 {action} {target} at {_endpoint} failed: no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile).",
                key, isTransient: false, e);
        }

        if (e is TimeoutException or OperationCanceledException)
        {
            // The base exception says only "Operation canceled": an endpoint that accepts connections and never
            // answers (a hung server, a proxy or firewall that drops replies) needs saying in those words.
            string within = _client.Config.Timeout is { } t ? $" within {t.TotalSeconds:0.#} s an attempt" : "";
            return new ObjectStoreException($"S3 endpoint {_endpoint} did not answer{within} while {action} {target}: it accepts connections but sends no reply.", key, isTransient: true, e);
        }

        return new ObjectStoreException($"S3 endpoint {_endpoint} could not be reached while {action} {target}: {e.GetBaseException().Message}", key, isTransient: true, e);
    }

    /// <summary>
    /// Whether the SDK gave up before sending anything because its credential chain found nothing. AWSSDK.Core has
    /// no exception type of its own for this, only an <see cref="AmazonClientException"/> whose message says so
    /// ("Failed to resolve AWS credentials…", "Credentials must be set…"); without this test it would read as an
    /// unreachable endpoint, which sends the user looking in the wrong place.
    /// </summary>
    internal static bool IsMissingCredentials(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is AmazonClientException
                && (x.Message.Contains("resolve AWS credentials", StringComparison.OrdinalIgnoreCase)
                    || x.Message.Contains("Credentials must be set", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A body that broke off: NotFound if the object is gone now (deleted while it streamed), else a transient failure.</summary>
    private async Task<Exception> TranslateBodyFailureAsync(Exception e, string key, CancellationToken cancellationToken)
    {
        try
        {
            await _client.GetObjectMetadataAsync(_bucket, key, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception head) when (head.StatusCode == HttpStatusCode.NotFound)
        {
            return new ObjectNotFoundException(key, e);
        }
        catch (Exception head) when (IsSdkFailure(head, cancellationToken))
        {
            // Cannot tell; report the body's own failure.
        }

        return new ObjectStoreException($"S3 failed reading the body of object '{key}' in bucket '{_bucket}' at {_endpoint}: {e.Message}", key, isTransient: true, e);
    }

    private static string DescribeEndpoint(IClientConfig config)
        => !string.IsNullOrEmpty(config.ServiceURL) ? config.ServiceURL.TrimEnd('/')
            : config.RegionEndpoint is { } region ? $"AWS region {region.SystemName}"
            : "the default AWS endpoint";
}
