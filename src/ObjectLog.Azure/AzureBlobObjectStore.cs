using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ObjectLog.Storage;

namespace ObjectLog.Azure;

/// <summary>
/// A store on one Azure Blob Storage container (or Azurite) through Azure.Storage.Blobs. Key <c>a/b</c> is the
/// block blob <c>a/b</c> in the container.
/// </summary>
/// <remarks>
/// <para>
/// Puts go through <c>BlobClient.UploadAsync</c>: one <c>Put Blob</c> up to
/// <see cref="AzureBlobObjectStoreOptions.BlockSize"/>, otherwise staged blocks committed by one
/// <c>Put Block List</c>, with bounded memory and nothing visible until the commit. Create-only puts send
/// <c>If-None-Match: *</c>, which Azure enforces atomically on both; its 409 <c>BlobAlreadyExists</c> or 412
/// becomes <see cref="ObjectAlreadyExistsException"/>. An error reading the caller's content stream propagates
/// unchanged.
/// </para>
/// <para>
/// Every <see cref="RequestFailedException"/> is translated here: 404 on a blob becomes
/// <see cref="ObjectNotFoundException"/>, a missing container or refused credentials an
/// <see cref="ObjectStoreException"/> naming the container, and 5xx, 408, 429, timeouts and unreachable
/// endpoints an <see cref="ObjectStoreException"/> with <see cref="ObjectStoreException.IsTransient"/> set.
/// Messages name the container's address without its query string, so a SAS token never appears.
/// </para>
/// </remarks>
public sealed class AzureBlobObjectStore : IObjectStore
{
    private const int ConcurrentDeletes = 16;

    private readonly BlobContainerClient _container;
    private readonly StorageTransferOptions _transfer;
    private readonly string _where;
    private readonly bool _sendChecksums;

    /// <summary>Creates a store on the container <paramref name="container"/> addresses, which must exist.</summary>
    /// <param name="container">The container client; its retry and timeout settings apply to every call.</param>
    /// <param name="options">Settings; the defaults if <see langword="null"/>. The store copies them, so later changes have no effect.</param>
    public AzureBlobObjectStore(BlobContainerClient container, AzureBlobObjectStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        options ??= new AzureBlobObjectStoreOptions();
        _container = container;
        _transfer = new StorageTransferOptions
        {
            InitialTransferSize = options.BlockSize,
            MaximumTransferSize = options.BlockSize,
            MaximumConcurrency = options.MaxConcurrency,
        };
        _where = $"container '{container.Name}' at {container.Uri.GetLeftPart(UriPartial.Path)}";
        _sendChecksums = options.SendChecksums;
    }

    /// <summary>The name of the container this store writes to.</summary>
    public string ContainerName => _container.Name;

    /// <inheritdoc />
    /// <remarks>Always <see langword="true"/>: Azure enforces <c>If-None-Match: *</c> on every upload.</remarks>
    public bool SupportsCreateOnly => true;

    /// <inheritdoc />
    /// <remarks>
    /// Always <see langword="true"/>: Azure enforces <c>If-Match</c> on every upload. Versions are the blobs'
    /// ETags, as the service gives them (quoted), from reads, puts and listings alike.
    /// </remarks>
    public bool SupportsConditionalUpdate => true;

    /// <inheritdoc />
    /// <remarks>Blob listings are in lexicographic order.</remarks>
    public bool ListsInKeyOrder => true;

    /// <inheritdoc />
    /// <remarks>
    /// The <c>Date</c> header of a container properties request: the service's clock, to the second. A request
    /// refused for its credentials carries the date too, and serves as well.
    /// </remarks>
    public async ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default)
    {
        Response response;
        try
        {
            response = (await _container.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).GetRawResponse();
        }
        catch (RequestFailedException e) when (e.GetRawResponse() is { } refused && refused.Headers.Date is not null)
        {
            response = refused;
        }
        catch (Exception e) when (IsSdkFailure(e, cancellationToken))
        {
            throw Translate(e, key: null, "reading the clock of", cancellationToken);
        }

        return response.Headers.Date
            ?? throw new ObjectStoreException($"Reading the clock of {_where} failed: its answer has no Date header.", key: null, isTransient: false);
    }

    /// <inheritdoc />
    public Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default)
        => PutCoreAsync(key, content, mode, checksummed: false, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Azure has no CRC-32C header, so the checksum itself is not sent: the upload carries Azure's transactional
    /// MD5 instead (<c>Content-MD5</c>, computed by the SDK over the bytes it sends, checked by the service), which
    /// guards the way to the service, unless <see cref="AzureBlobObjectStoreOptions.SendChecksums"/> is off; readers
    /// check the CRC-32C in the name.
    /// </remarks>
    public Task PutAsync(string key, Stream content, PutMode mode, uint crc32C, CancellationToken cancellationToken = default)
        => PutCoreAsync(key, content, mode, checksummed: _sendChecksums, cancellationToken);

    private async Task PutCoreAsync(string key, Stream content, PutMode mode, bool checksummed, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        VersionedPut.RefuseUpdate(mode);
        cancellationToken.ThrowIfCancellationRequested();
        var options = new BlobUploadOptions
        {
            TransferOptions = _transfer,
            HttpHeaders = new BlobHttpHeaders { ContentType = ObjectContentType.For(key) }, // the block commit sets it too
            Conditions = mode == PutMode.Create ? new BlobRequestConditions { IfNoneMatch = ETag.All } : null,
            TransferValidation = checksummed ? new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 } : null,
        };
        try
        {
            await _container.GetBlobClient(key).UploadAsync(new SourceStream(content), options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (FindContentReadFailure(e) is { } source)
        {
            ExceptionDispatchInfo.Throw(source); // the caller's stream failed, not Azure
        }
        catch (RequestFailedException e) when (mode == PutMode.Create
            && (e.Status == (int)HttpStatusCode.PreconditionFailed || e.ErrorCode == BlobErrorCode.BlobAlreadyExists))
        {
            throw new ObjectAlreadyExistsException(key, e);
        }
        catch (Exception e) when (IsSdkFailure(e, cancellationToken))
        {
            throw Translate(e, key, "writing", cancellationToken);
        }
    }

    /// <inheritdoc />
    /// <remarks>One <c>Get Blob</c>: the bytes and the ETag of one response.</remarks>
    public async Task<VersionedObject> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            Response<BlobDownloadResult> response = await _container.GetBlobClient(key).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return new VersionedObject(key, response.Value.Content.ToMemory(), response.Value.Details.ETag.ToString("H"), response.Value.Details.LastModified);
        }
        catch (Exception e) when (IsSdkFailure(e, cancellationToken))
        {
            throw Translate(e, key, "reading", cancellationToken);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One <c>Put Blob</c> with <c>If-Match: ETAG</c> for an update (<c>If-None-Match: *</c> for a create); the
    /// service's 412, or 404 for a blob deleted since, becomes <see cref="ObjectChangedException"/>.
    /// </remarks>
    public async Task<string> PutVersionedAsync(string key, ReadOnlyMemory<byte> content, PutMode mode, string? version, CancellationToken cancellationToken = default)
    {
        VersionedPut.Validate(key, mode, version);
        cancellationToken.ThrowIfCancellationRequested();
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = ObjectContentType.For(key) },
            Conditions = mode switch
            {
                PutMode.Create => new BlobRequestConditions { IfNoneMatch = ETag.All },
                PutMode.Update => new BlobRequestConditions { IfMatch = new ETag(version!) },
                _ => null,
            },
        };
        try
        {
            Response<BlobContentInfo> response = await _container.GetBlobClient(key).UploadAsync(new BinaryData(content), options, cancellationToken).ConfigureAwait(false);
            return response.Value.ETag.ToString("H");
        }
        catch (RequestFailedException e) when (mode == PutMode.Update
            && (e.Status == (int)HttpStatusCode.PreconditionFailed || e.ErrorCode == BlobErrorCode.BlobNotFound))
        {
            throw new ObjectChangedException(key, version!, e);
        }
        catch (RequestFailedException e) when (mode == PutMode.Create
            && (e.Status == (int)HttpStatusCode.PreconditionFailed || e.ErrorCode == BlobErrorCode.BlobAlreadyExists))
        {
            throw new ObjectAlreadyExistsException(key, e);
        }
        catch (Exception e) when (IsSdkFailure(e, cancellationToken))
        {
            throw Translate(e, key, "writing", cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        BlobClient blob = _container.GetBlobClient(key);
        try
        {
            if (range is { Length: 0 })
            {
                // HTTP can't ask for zero bytes; the contract still wants NotFound for a missing key.
                await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                return new MemoryStream([], writable: false);
            }

            var options = new BlobDownloadOptions { Range = range is { } r ? new HttpRange(r.Offset, r.Length) : default };
            Response<BlobDownloadStreamingResult> response = await blob.DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false);
            return ObjectStreams.TranslatingFailures(response.Value.Content, e => e is RequestFailedException or IOException or HttpRequestException, (e, ct) => TranslateBodyFailureAsync(e, blob, key, ct));
        }
        catch (RequestFailedException e) when (range is not null && e.Status == (int)HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return new MemoryStream([], writable: false); // the range starts at or past the end of a blob that exists
        }
        catch (Exception e) when (IsSdkFailure(e, cancellationToken))
        {
            throw Translate(e, key, "reading", cancellationToken);
        }
    }

    /// <summary>A body that broke off: NotFound if the blob is gone now (deleted while it streamed), else a transient failure.</summary>
    private async Task<Exception> TranslateBodyFailureAsync(Exception e, BlobClient blob, string key, CancellationToken cancellationToken)
    {
        try
        {
            await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException head) when (head.Status == (int)HttpStatusCode.NotFound)
        {
            return new ObjectNotFoundException(key, e);
        }
        catch (Exception head) when (IsSdkFailure(head, cancellationToken))
        {
            // Cannot tell; report the body's own failure.
        }

        return new ObjectStoreException($"Azure Blob Storage failed reading the body of blob '{key}': {e.Message}", key, isTransient: true, e);
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // Not DeleteIfExists: it also swallows ContainerNotFound, and a missing container must be an error.
            await _container.GetBlobClient(key).DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.BlobNotFound)
        {
            // Already gone.
        }
        catch (Exception e) when (IsSdkFailure(e, cancellationToken))
        {
            throw Translate(e, key, "deleting", cancellationToken);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One <c>Delete Blob</c> per key, 16 in flight; a blob already gone counts as deleted.
    /// </remarks>
    public Task DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        // Not Blob Batch (256 deletes a request): Azurite 3.37 implements it, but its client, Azure.Storage.Blobs.Batch,
        // is not served by the package registry this project restores from, and a batch can't be made by hand on top of
        // Azure.Storage.Blobs: each sub-request must be signed by the client's pipeline, which that package keeps internal.
        return BulkDelete.DeleteEachAsync(this, keys, ConcurrentDeletes, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Pages through <c>List Blobs</c> (up to 5,000 blobs a request), starting at <paramref name="startAfter"/> on the server.</remarks>
    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        cancellationToken.ThrowIfCancellationRequested();
        var options = new GetBlobsOptions
        {
            Prefix = prefix.Length == 0 ? null : prefix,
            StartFrom = startAfter, // inclusive: the key itself is filtered out below
        };
        IAsyncEnumerator<BlobItem> blobs = _container.GetBlobsAsync(options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using ConfiguredAsyncDisposable disposing = blobs.ConfigureAwait(false);
        while (true)
        {
            try
            {
                if (!await blobs.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }
            }
            catch (Exception e) when (IsSdkFailure(e, cancellationToken))
            {
                throw Translate(e, key: null, $"listing prefix '{prefix}' of", cancellationToken);
            }

            BlobItem item = blobs.Current;
            if (ObjectKey.IsListed(item.Name, prefix, startAfter))
            {
                yield return new ObjectMeta(item.Name, item.Properties.ContentLength ?? 0, item.Properties.LastModified ?? default) { Version = item.Properties.ETag?.ToString("H") };
            }
        }
    }

    /// <summary>The caller's stream error inside <paramref name="e"/>, if reading the content is what failed.</summary>
    private static Exception? FindContentReadFailure(Exception e) => e switch
    {
        ContentReadException c => c.InnerException,
        AggregateException a => a.InnerExceptions.Select(FindContentReadFailure).FirstOrDefault(x => x is not null),
        _ => e.InnerException is { } inner ? FindContentReadFailure(inner) : null,
    };

    /// <summary>Whether <paramref name="e"/> is a failure of the SDK or the network (as opposed to our own exception or the caller's cancellation).</summary>
    private static bool IsSdkFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        ObjectStoreException => false,
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // a timeout, not the caller
        RequestFailedException or AggregateException or HttpRequestException or IOException => true,
        _ => false,
    };

    private ObjectStoreException Translate(Exception e, string? key, string action, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string target = key is null ? _where : $"blob '{key}' in {_where}";
        if (e is RequestFailedException { Status: not 0 } r)
        {
            string code = r.ErrorCode ?? r.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (r.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                return new ObjectStoreException($"Azure Blob {_where} does not exist.", key, isTransient: false, e);
            }

            if (r.Status == (int)HttpStatusCode.NotFound && key is not null)
            {
                return new ObjectNotFoundException(key, e);
            }

            if (r.Status is (int)HttpStatusCode.Forbidden or (int)HttpStatusCode.Unauthorized)
            {
                return new ObjectStoreException(
                    $"Azure Blob refused {action} {target} ({r.Status} {code}): check the account key, SAS or role assignment.",
                    key, isTransient: false, e);
            }

            bool transient = r.Status >= 500 || r.Status is 408 or 429;
            return new ObjectStoreException($"Azure Blob failed {action} {target} ({r.Status} {code}): {FirstLine(r.Message)}", key, transient, e);
        }

        return new ObjectStoreException($"Azure Blob endpoint could not be reached while {action} {target}: {NetworkCause(e)}", key, isTransient: true, e);
    }

    /// <summary>
    /// What went wrong on the network, without the SDK's wrapping: after its retries the SDK throws an
    /// <see cref="AggregateException"/> whose message advises adjusting <c>ClientOptions.Retry</c>, which a user of
    /// an application or of <c>objlog</c> cannot act on. The distinct innermost messages say what happened
    /// (connection refused, a timeout, a name that does not resolve).
    /// </summary>
    private static string NetworkCause(Exception e)
    {
        IEnumerable<Exception> causes = e is AggregateException a ? a.Flatten().InnerExceptions : [e];
        string[] messages = causes.Select(c => FirstLine(c.GetBaseException().Message)).Distinct(StringComparer.Ordinal).ToArray();
        return messages.Length == 0 ? FirstLine(e.Message) : string.Join("; ", messages);
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOfAny(['\r', '\n']);
        return newline < 0 ? message : message[..newline];
    }
}
