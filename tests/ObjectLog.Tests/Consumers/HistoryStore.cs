using System.Runtime.CompilerServices;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Consumers;

/// <summary>
/// Wraps a store whose conditional puts complete at once (the memory store) and records every conditional write of
/// one key that landed, in the order the store applied them: the true history a model is checked against.
/// </summary>
internal sealed class HistoryStore(IObjectStore inner, string recordedKey) : IObjectStore
{
    private readonly Lock _gate = new();
    private readonly List<byte[]> _writes = [];

    public IReadOnlyList<byte[]> Writes
    {
        get
        {
            lock (_gate)
            {
                return [.. _writes];
            }
        }
    }

    public bool SupportsCreateOnly => inner.SupportsCreateOnly;

    public bool ListsInKeyOrder => inner.ListsInKeyOrder;

    public int MaxKeysPerDeleteRequest => inner.MaxKeysPerDeleteRequest;

    public bool SupportsConditionalUpdate => inner.SupportsConditionalUpdate;

    public ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default) => inner.GetTimeAsync(cancellationToken);

    public Task<VersionedObject> GetVersionedAsync(string key, CancellationToken cancellationToken = default) => inner.GetVersionedAsync(key, cancellationToken);

    public Task<string> PutVersionedAsync(string key, ReadOnlyMemory<byte> content, PutMode mode, string? version, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Task<string> put = inner.PutVersionedAsync(key, content, mode, version, cancellationToken);
            Assert.True(put.IsCompleted, "the history needs a store whose conditional puts complete at once");
            if (key == recordedKey && put.IsCompletedSuccessfully)
            {
                _writes.Add(content.ToArray());
            }

            return put;
        }
    }

    public Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default) => inner.PutAsync(key, content, mode, cancellationToken);

    public Task PutAsync(string key, Stream content, PutMode mode, uint crc32C, CancellationToken cancellationToken = default) => inner.PutAsync(key, content, mode, crc32C, cancellationToken);

    public Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) => inner.GetAsync(key, range, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

    public Task DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default) => inner.DeleteManyAsync(keys, cancellationToken);

    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (ObjectMeta meta in inner.ListAsync(prefix, startAfter, cancellationToken))
        {
            yield return meta;
        }
    }
}
