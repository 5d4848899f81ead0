using System.Runtime.CompilerServices;

namespace ObjectLog.Storage;

/// <summary>
/// Counts every request a log makes of its store, by kind and with bytes, on <c>objectlog.requests</c> and
/// <c>objectlog.request.bytes</c> (see <see cref="ObjectLogMetrics"/>). <see cref="AppendLog"/> wraps its store in
/// one, so writes, reads, compaction and trimming are all counted in this one place and none is missed.
/// </summary>
/// <remarks>
/// A request is counted when it is sent, whether it then succeeds or fails (stores bill failed requests too).
/// What a store does inside one call, out of sight of this decorator (the S3 store's existence check before a
/// create-only put on a server without conditional writes, an SDK's own retries), is not counted.
/// </remarks>
internal sealed class MeteredObjectStore : IObjectStore
{
    /// <summary>Keys one LIST request returns at most on S3 (Azure returns up to 5,000): a listing counts a page per this many keys.</summary>
    public const int KeysPerListPage = 1000;

    private readonly IObjectStore _inner;
    private readonly KeyValuePair<string, object?> _prefixTag;

    public MeteredObjectStore(IObjectStore inner, KeyValuePair<string, object?> prefixTag)
    {
        _inner = inner;
        _prefixTag = prefixTag;
    }

    public bool SupportsCreateOnly => _inner.SupportsCreateOnly;

    public bool ListsInKeyOrder => _inner.ListsInKeyOrder;

    public int MaxKeysPerDeleteRequest => _inner.MaxKeysPerDeleteRequest;

    public async Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default)
    {
        Count(RequestKind.Put, 1);
        if (content.CanSeek)
        {
            CountBytes(RequestKind.Put, content.Length - content.Position); // sent, even if the answer is then lost
            await _inner.PutAsync(key, content, mode, cancellationToken).ConfigureAwait(false);
            return;
        }

        // A stream of unknown length is counted as the store reads it; wrapping it keeps it unseekable, as it was.
        // The wrapper is never closed, so the caller's stream stays the caller's to close.
        var counted = new CountingReadStream(content, onClose: null);
        try
        {
            await _inner.PutAsync(key, counted, mode, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CountBytes(RequestKind.Put, counted.BytesRead);
        }
    }

    public async Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        Count(RequestKind.Get, 1);
        Stream body = await _inner.GetAsync(key, range, cancellationToken).ConfigureAwait(false);
        return new CountingReadStream(body, onClose: read => CountBytes(RequestKind.Get, read));
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        Count(RequestKind.Delete, 1);
        return _inner.DeleteAsync(key, cancellationToken);
    }

    public Task DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        int perRequest = Math.Max(1, _inner.MaxKeysPerDeleteRequest);
        long requests = (keys.Count + (long)perRequest - 1) / perRequest; // repeated keys, dropped by the store, may make this one high
        Count(RequestKind.Delete, requests);
        return _inner.DeleteManyAsync(keys, cancellationToken);
    }

    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Count(RequestKind.List, 1); // the first page is asked for even when nothing comes back
        long listed = 0;
        await foreach (ObjectMeta meta in _inner.ListAsync(prefix, startAfter, cancellationToken).ConfigureAwait(false))
        {
            if (listed > 0 && listed % KeysPerListPage == 0)
            {
                Count(RequestKind.List, 1);
            }

            listed++;
            yield return meta;
        }
    }

    private void Count(RequestKind kind, long requests)
    {
        if (requests > 0)
        {
            ObjectLogMetrics.Requests.Add(requests, _prefixTag, kind.Tag);
        }
    }

    private void CountBytes(RequestKind kind, long bytes)
    {
        if (bytes > 0)
        {
            ObjectLogMetrics.RequestBytes.Add(bytes, _prefixTag, kind.Tag);
        }
    }

    /// <summary>The <c>kind</c> tag of a request measurement.</summary>
    private readonly record struct RequestKind(string Name)
    {
        public static readonly RequestKind Put = new("put");
        public static readonly RequestKind Get = new("get");
        public static readonly RequestKind List = new("list");
        public static readonly RequestKind Delete = new("delete");

        public KeyValuePair<string, object?> Tag => new("kind", Name);
    }

    /// <summary>Passes reads through and counts their bytes; reports the count once, when closed.</summary>
    private sealed class CountingReadStream(Stream inner, Action<long>? onClose) : ForwardReadStream(inner)
    {
        private long _read;
        private int _closed;

        public long BytesRead => Interlocked.Read(ref _read);

        public override int Read(byte[] buffer, int offset, int count) => Add(Inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Add(Inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => Add(await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        protected override void Dispose(bool disposing)
        {
            Report();
            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync()
        {
            Report();
            return base.DisposeAsync();
        }

        private int Add(int n)
        {
            Interlocked.Add(ref _read, n);
            return n;
        }

        private void Report()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                onClose?.Invoke(BytesRead);
            }
        }
    }
}
