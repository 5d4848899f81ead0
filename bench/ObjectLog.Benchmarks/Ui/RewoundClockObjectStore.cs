using System.Runtime.CompilerServices;
using ObjectLog.Storage;

namespace ObjectLog.Benchmarks.Ui;

/// <summary>
/// A store whose clock reads <paramref name="rewind"/> earlier than the inner store's, and that otherwise is the
/// inner store: a log seeded up to some time and cached is served as if that time were now, so "the last hour" is
/// the seed's last hour however long ago the seed was made.
/// </summary>
internal sealed class RewoundClockObjectStore(IObjectStore inner, TimeSpan rewind) : IObjectStore
{
    public bool SupportsCreateOnly => inner.SupportsCreateOnly;

    public bool SupportsConditionalUpdate => inner.SupportsConditionalUpdate;

    public int MaxKeysPerDeleteRequest => inner.MaxKeysPerDeleteRequest;

    public bool ListsInKeyOrder => inner.ListsInKeyOrder;

    public async ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default)
        => await inner.GetTimeAsync(cancellationToken) - rewind;

    public Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default)
        => inner.PutAsync(key, content, mode, cancellationToken);

    public Task<string> PutVersionedAsync(string key, ReadOnlyMemory<byte> content, PutMode mode, string? version, CancellationToken cancellationToken = default)
        => inner.PutVersionedAsync(key, content, mode, version, cancellationToken);

    public Task<VersionedObject> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
        => inner.GetVersionedAsync(key, cancellationToken);

    public Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
        => inner.GetAsync(key, range, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
        => inner.DeleteAsync(key, cancellationToken);

    public Task DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
        => inner.DeleteManyAsync(keys, cancellationToken);

    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (ObjectMeta meta in inner.ListAsync(prefix, startAfter, cancellationToken))
        {
            yield return meta;
        }
    }
}
