using System.Runtime.CompilerServices;
using ObjectLog.Storage;

namespace ObjectLog.KitBackend;

/// <summary>
/// A store on a <see cref="KitService"/>, built from the public kit in <see cref="ObjectLog.Storage"/> only: keys are
/// checked with <see cref="ObjectKey"/> at the door, ranges resolved with <see cref="ByteRange.Within"/>, bodies cut
/// and their failures translated with <see cref="ObjectStreams"/>, bulk deletes run by <see cref="BulkDelete"/>, and
/// the service's errors translated here, at the store's edge.
/// </summary>
public sealed class KitObjectStore : IObjectStore
{
    private readonly KitService _service;
    private readonly int _pageSize;

    /// <summary>Creates a store on <paramref name="service"/>.</summary>
    /// <param name="service">The service that holds the objects.</param>
    /// <param name="pageSize">How many keys one listing request returns.</param>
    /// <exception cref="ArgumentNullException"><paramref name="service"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pageSize"/> is less than 1.</exception>
    public KitObjectStore(KitService service, int pageSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        _service = service;
        _pageSize = pageSize;
    }

    /// <inheritdoc />
    public bool SupportsCreateOnly => true;

    /// <inheritdoc />
    public bool ListsInKeyOrder => true;

    /// <inheritdoc />
    public int MaxKeysPerDeleteRequest => KitService.MaxKeysPerDelete;

    /// <inheritdoc />
    public async Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        VersionedPut.RefuseUpdate(mode); // the kit service has no conditional update: SupportsConditionalUpdate stays false
        cancellationToken.ThrowIfCancellationRequested();
        byte[] data;
        if (ObjectStreams.TryGetMemory(content, out ReadOnlyMemory<byte> bytes))
        {
            data = bytes.ToArray(); // the service keeps its own copy; a real one would send these bytes as they are
        }
        else
        {
            using var buffer = new MemoryStream();
            await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            data = buffer.ToArray();
        }

        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            _service.Put(key, data, ObjectContentType.For(key), ifNoneMatch: mode == PutMode.Create);
        }
        catch (KitServiceException e)
        {
            throw Translate(e, key);
        }
    }

    /// <inheritdoc />
    public Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            ByteRange part = ByteRange.Within(range, _service.Head(key));
            Stream body = ObjectStreams.TranslatingFailures(
                _service.Read(key, part.Offset),
                static e => e is KitServiceException,
                (e, _) => Task.FromResult(TranslateBodyFailure((KitServiceException)e, key)));
            return Task.FromResult(ObjectStreams.Bounded(body, part.Length)); // the service sends to the end; return only the range
        }
        catch (KitServiceException e)
        {
            throw Translate(e, key);
        }
    }

    /// <inheritdoc />
    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        _service.Delete(key);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>One service request per <see cref="KitService.MaxKeysPerDelete"/> keys, 4 in flight, each key's outcome read from the answer.</remarks>
    public Task DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
        => BulkDelete.DeleteInBatchesAsync(keys, KitService.MaxKeysPerDelete, concurrency: 4, DeleteBatchAsync, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        string? marker = startAfter;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IReadOnlyList<(string Key, long Size, DateTimeOffset LastModified)> page = _service.List(prefix, marker, _pageSize);
            foreach ((string key, long size, DateTimeOffset lastModified) in page)
            {
                if (ObjectKey.IsListed(key, prefix, startAfter))
                {
                    yield return new ObjectMeta(key, size, lastModified);
                }
            }

            if (page.Count < _pageSize)
            {
                yield break;
            }

            marker = page[^1].Key;
            await Task.Yield();
        }
    }

    private Task DeleteBatchAsync(IReadOnlyList<string> keys, BulkDeleteOutcome outcome, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, string?> results;
        try
        {
            results = _service.DeleteBatch(keys);
        }
        catch (KitServiceException e)
        {
            ObjectStoreException error = Translate(e, key: null);
            foreach (string key in keys)
            {
                outcome.MarkFailed(key, error);
            }

            return Task.CompletedTask;
        }

        foreach (string key in keys)
        {
            if (!results.TryGetValue(key, out string? code))
            {
                outcome.MarkFailed(key, new ObjectStoreException($"The kit service did not report deleting '{key}'.", key, isTransient: true));
            }
            else if (code is null)
            {
                outcome.MarkDeleted(key);
            }
            else
            {
                outcome.MarkFailed(key, new ObjectStoreException($"The kit service failed deleting '{key}' ({code}).", key, isTransient: false));
            }
        }

        return Task.CompletedTask;
    }

    private static ObjectStoreException Translate(KitServiceException e, string? key) => (e.Status, key) switch
    {
        (404, { } k) => new ObjectNotFoundException(k, e),
        (412, { } k) => new ObjectAlreadyExistsException(k, e),
        _ => new ObjectStoreException($"The kit service failed ({e.Status} {e.Code}).", key, isTransient: e.Status is 0 or >= 500, e),
    };

    /// <summary>A body that broke off: NotFound if the object is gone now (deleted while it streamed), else a transient failure.</summary>
    private Exception TranslateBodyFailure(KitServiceException e, string key)
    {
        try
        {
            _service.Head(key);
        }
        catch (KitServiceException head) when (head.Status == 404)
        {
            return new ObjectNotFoundException(key, e);
        }

        return new ObjectStoreException($"The kit service broke off the body of '{key}'.", key, isTransient: true, e);
    }
}
