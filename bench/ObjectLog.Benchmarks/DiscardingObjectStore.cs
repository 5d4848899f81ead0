using System.Runtime.CompilerServices;
using ObjectLog.Storage;

namespace ObjectLog.Benchmarks;

/// <summary>A store that accepts every put and keeps nothing, so a benchmark measures the log's own path, not a store's memory.</summary>
internal sealed class DiscardingObjectStore : IObjectStore
{
    public bool SupportsCreateOnly => true;

    public Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) => throw new ObjectNotFoundException(key);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        yield break;
    }
}
