using ObjectLog.Storage;

namespace ObjectLog.Benchmarks.Latency;

/// <summary>
/// A store whose process can be killed: after <see cref="Kill"/>, every call, new or already waiting for its turn,
/// never reaches <paramref name="inner"/> and never completes (it ends only if its own token is cancelled), as
/// requests of a process killed with <c>kill -9</c> never arrive. Calls already inside the inner store finish.
/// </summary>
internal sealed class KillableObjectStore(IObjectStore inner) : IObjectStore
{
    private readonly TaskCompletionSource _killed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool SupportsCreateOnly => inner.SupportsCreateOnly;

    public bool SupportsConditionalUpdate => inner.SupportsConditionalUpdate;

    public int MaxKeysPerDeleteRequest => inner.MaxKeysPerDeleteRequest;

    public bool ListsInKeyOrder => inner.ListsInKeyOrder;

    /// <summary>From now on no call reaches the inner store.</summary>
    public void Kill() => _killed.TrySetResult();

    public async ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default)
    {
        await AliveAsync(cancellationToken);
        return await inner.GetTimeAsync(cancellationToken);
    }

    public async Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default)
    {
        await AliveAsync(cancellationToken);
        await inner.PutAsync(key, content, mode, cancellationToken);
    }

    public async Task<string> PutVersionedAsync(string key, ReadOnlyMemory<byte> content, PutMode mode, string? version, CancellationToken cancellationToken = default)
    {
        await AliveAsync(cancellationToken);
        return await inner.PutVersionedAsync(key, content, mode, version, cancellationToken);
    }

    public async Task<VersionedObject> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        await AliveAsync(cancellationToken);
        return await inner.GetVersionedAsync(key, cancellationToken);
    }

    public async Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        await AliveAsync(cancellationToken);
        return await inner.GetAsync(key, range, cancellationToken);
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        await AliveAsync(cancellationToken);
        await inner.DeleteAsync(key, cancellationToken);
    }

    public async Task DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        await AliveAsync(cancellationToken);
        await inner.DeleteManyAsync(keys, cancellationToken);
    }

    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await AliveAsync(cancellationToken);
        await foreach (ObjectMeta meta in inner.ListAsync(prefix, startAfter, cancellationToken))
        {
            yield return meta;
        }
    }

    /// <summary>Returns at once while alive; once killed, waits until <paramref name="cancellationToken"/> is cancelled.</summary>
    private async Task AliveAsync(CancellationToken cancellationToken)
    {
        if (_killed.Task.IsCompleted)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
