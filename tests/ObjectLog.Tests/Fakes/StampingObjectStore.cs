using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Fakes;

/// <summary>
/// Wraps any store and gives it a clock the test moves: objects written through it are stamped with that clock's time
/// (their <see cref="ObjectMeta.LastModified"/> in listings), and <see cref="GetTimeAsync"/> reads it. So a test can
/// run a real store (a folder) through hours of store time, stalls and grace periods in milliseconds.
/// </summary>
public sealed class StampingObjectStore(IObjectStore inner, TimeProvider clock) : IObjectStore
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _stamps = new(StringComparer.Ordinal);

    public bool SupportsCreateOnly => inner.SupportsCreateOnly;

    public bool ListsInKeyOrder => inner.ListsInKeyOrder;

    public int MaxKeysPerDeleteRequest => inner.MaxKeysPerDeleteRequest;

    public ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(clock.GetUtcNow());

    // Stamped as the request arrives, before the object can be listed: a listing never sees it unstamped.
    public Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default)
    {
        Stamp(key, mode);
        return inner.PutAsync(key, content, mode, cancellationToken);
    }

    public Task PutAsync(string key, Stream content, PutMode mode, uint crc32C, CancellationToken cancellationToken = default)
    {
        Stamp(key, mode);
        return inner.PutAsync(key, content, mode, crc32C, cancellationToken);
    }

    /// <summary>A create-only put of a key that exists changes nothing, its stamp included.</summary>
    private void Stamp(string key, PutMode mode)
    {
        if (mode == PutMode.Overwrite)
        {
            _stamps[key] = clock.GetUtcNow();
        }
        else
        {
            _stamps.TryAdd(key, clock.GetUtcNow());
        }
    }

    public Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) => inner.GetAsync(key, range, cancellationToken);

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        await inner.DeleteAsync(key, cancellationToken);
        _stamps.TryRemove(key, out _);
    }

    public async Task DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        try
        {
            await inner.DeleteManyAsync(keys, cancellationToken);
        }
        catch (BulkDeleteException e)
        {
            foreach (string key in e.Deleted)
            {
                _stamps.TryRemove(key, out _);
            }

            throw;
        }

        foreach (string key in keys)
        {
            _stamps.TryRemove(key, out _);
        }
    }

    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (ObjectMeta meta in inner.ListAsync(prefix, startAfter, cancellationToken))
        {
            yield return _stamps.TryGetValue(meta.Key, out DateTimeOffset stamp) ? meta with { LastModified = stamp } : meta;
        }
    }
}
