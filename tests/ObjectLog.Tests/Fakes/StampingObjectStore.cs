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

    public bool SupportsConditionalUpdate => inner.SupportsConditionalUpdate;

    public async Task<VersionedObject> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        VersionedObject read = await inner.GetVersionedAsync(key, cancellationToken);
        return _stamps.TryGetValue(key, out DateTimeOffset stamp) ? read with { LastModified = stamp } : read;
    }

    /// <summary>Stamped as a stream put is; an update that fails leaves the stamp it found.</summary>
    public async Task<string> PutVersionedAsync(string key, ReadOnlyMemory<byte> content, PutMode mode, string? version, CancellationToken cancellationToken = default)
    {
        if (mode != PutMode.Update)
        {
            Stamp(key, mode);
            return await inner.PutVersionedAsync(key, content, mode, version, cancellationToken);
        }

        bool had = _stamps.TryGetValue(key, out DateTimeOffset before);
        DateTimeOffset now = clock.GetUtcNow();
        _stamps[key] = now;
        try
        {
            return await inner.PutVersionedAsync(key, content, mode, version, cancellationToken);
        }
        catch
        {
            if (had)
            {
                _stamps.TryUpdate(key, before, now);
            }
            else
            {
                _stamps.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, now));
            }

            throw;
        }
    }

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
