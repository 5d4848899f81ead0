using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// GETs started while a read's listing is still arriving, so the first fetches overlap the listing instead of
/// waiting for its last page. Read path: <b>list</b> (it watches the listing go by, <see cref="WatchAsync"/>) →
/// plan → <b>fetch</b> → frame and check lines → events. The plan needs the whole listing to be final (merged
/// objects and their manifests decide which object holds a batch), so these fetches are speculative: the fetch
/// window takes the ones its plan reads (<see cref="TryTake"/>), and the rest are dropped when it has filled its
/// window (<see cref="Abandon"/>). It knows neither the plan nor the window: they ask it.
/// </summary>
/// <remarks>
/// Used only for stores that list in key order (<see cref="IObjectStore.ListsInKeyOrder"/>): then the first batches
/// listed are the first the plan reads. Only whole batch objects no larger than a part are fetched, at most
/// <see cref="AppendLogOptions.ReadConcurrency"/> of them holding at most <see cref="AppendLogOptions.ReadAheadBytes"/>.
/// A key out of order (a store that claims order but does not keep it) stops speculation at once. A merged object
/// listed first does not stop it: the batch objects after it are fetched anyway, and simply not taken if the plan
/// reads them from the merged object (superseded batches kept for a grace period). Such dropped fetches finish in
/// the background, so while they do the GETs in flight may exceed the window by at most the number dropped.
/// </remarks>
internal sealed class ListingPrefetch(IObjectStore store, string logPrefix, Func<string, bool>? includeBatch, AppendLogOptions options, CancellationToken cancellationToken)
{
    private readonly Dictionary<string, (long Size, Task<Fetched> Body)> _started = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    private string? _lastKey;
    private long _bytes;
    private bool _stopped;

    /// <summary>Passes <paramref name="listing"/> on unchanged, starting fetches as the log's objects go by.</summary>
    public async IAsyncEnumerable<ObjectMeta> WatchAsync(IAsyncEnumerable<ObjectMeta> listing)
    {
        await foreach (ObjectMeta meta in listing.ConfigureAwait(false))
        {
            if (LogInventory.Classify(logPrefix, meta) is { } name)
            {
                OnListed(meta, name);
            }

            yield return meta;
        }
    }

    /// <summary>Looks at one object of the log, in the order the store lists them.</summary>
    private void OnListed(ObjectMeta meta, LogObjectName name)
    {
        if (_stopped)
        {
            return;
        }

        if (_lastKey is not null && string.CompareOrdinal(meta.Key, _lastKey) <= 0)
        {
            _stopped = true;
            return;
        }

        _lastKey = meta.Key;
        if (name.Kind != LogObjectKind.Batch || !(includeBatch?.Invoke(name.First) ?? true))
        {
            return;
        }

        if (meta.Size > options.ReadPartBytes || _started.Count >= options.ReadConcurrency || _bytes + meta.Size > options.ReadAheadBytes)
        {
            _stopped = true;
            return;
        }

        _started[meta.Key] = (meta.Size, ObjectFetch.FetchAsync(store, meta.Key, null, meta.Size, _cts.Token));
        _bytes += meta.Size;
    }

    /// <summary>Hands over the fetch of a whole object, if one was started with the size the plan expects.</summary>
    public bool TryTake(string key, ByteRange? range, long size, out Task<Fetched> body)
    {
        body = null!;
        if (range is not null || !_started.Remove(key, out var started))
        {
            return false;
        }

        if (started.Size != size)
        {
            _ = ObjectFetch.ReturnWhenDoneAsync(started.Body); // listed at another size than the plan's: not this object
            return false;
        }

        body = started.Body;
        return true;
    }

    /// <summary>Drops the fetches nobody took: their buffers go back to the pool when they finish.</summary>
    public void Abandon()
    {
        _stopped = true;
        foreach ((long _, Task<Fetched> body) in _started.Values)
        {
            _ = ObjectFetch.ReturnWhenDoneAsync(body);
        }

        _started.Clear();
    }

    /// <summary>Cancels what was not taken and drops it; taken fetches are the window's to await.</summary>
    public async ValueTask CancelAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        foreach ((long _, Task<Fetched> body) in _started.Values)
        {
            await ObjectFetch.ReturnWhenDoneAsync(body).ConfigureAwait(false);
        }

        _started.Clear();
        _cts.Dispose();
    }
}
