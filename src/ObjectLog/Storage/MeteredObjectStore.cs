using System.Diagnostics;
using System.Runtime.CompilerServices;
using ObjectLog.Internal;

namespace ObjectLog.Storage;

/// <summary>
/// Counts every request a log makes of its store, by kind and with bytes, on <c>objectlog.requests</c> and
/// <c>objectlog.request.bytes</c> (see <see cref="ObjectLogMetrics"/>). <see cref="AppendLog"/> wraps its store in
/// one, so writes, reads, compaction and trimming are all counted in this one place and none is missed. For the same
/// reason each request is an <c>objectlog.request</c> activity here, a child of the operation that made it.
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

    /// <summary>The store being metered, for what only a particular store can tell (such as its staged files).</summary>
    public IObjectStore Inner => _inner;

    public bool SupportsCreateOnly => _inner.SupportsCreateOnly;

    public bool ListsInKeyOrder => _inner.ListsInKeyOrder;

    public int MaxKeysPerDeleteRequest => _inner.MaxKeysPerDeleteRequest;

    public bool SupportsConditionalUpdate => _inner.SupportsConditionalUpdate;

    public async Task<VersionedObject> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        Count(RequestKind.Get, 1);
        using Activity? activity = StartRequest(RequestKind.Get, key);
        try
        {
            VersionedObject read = await _inner.GetVersionedAsync(key, cancellationToken).ConfigureAwait(false);
            CountBytes(RequestKind.Get, read.Content.Length);
            activity?.SetTag(Tracing.BytesTag, read.Content.Length);
            return read;
        }
        catch (Exception e) when (Tracing.Fail(activity, e))
        {
            throw; // never: the filter only records
        }
    }

    public async Task<string> PutVersionedAsync(string key, ReadOnlyMemory<byte> content, PutMode mode, string? version, CancellationToken cancellationToken = default)
    {
        Count(RequestKind.Put, 1);
        using Activity? activity = StartRequest(RequestKind.Put, key);
        CountBytes(RequestKind.Put, content.Length);
        activity?.SetTag(Tracing.BytesTag, content.Length);
        try
        {
            return await _inner.PutVersionedAsync(key, content, mode, version, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Tracing.Fail(activity, e))
        {
            throw; // never: the filter only records
        }
    }

    /// <summary>
    /// Counted as a LIST: a cloud store reads its clock with one small listing (S3) or properties request (Azure). Not
    /// an activity: a writer refreshes its reading in the background, outside any operation of the caller's.
    /// </summary>
    public ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default)
    {
        Count(RequestKind.List, 1);
        return _inner.GetTimeAsync(cancellationToken);
    }

    public Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default)
        => PutCoreAsync(key, content, mode, null, cancellationToken);

    public Task PutAsync(string key, Stream content, PutMode mode, uint crc32C, CancellationToken cancellationToken = default)
        => PutCoreAsync(key, content, mode, crc32C, cancellationToken);

    private async Task PutCoreAsync(string key, Stream content, PutMode mode, uint? crc32C, CancellationToken cancellationToken)
    {
        Count(RequestKind.Put, 1);
        using Activity? activity = StartRequest(RequestKind.Put, key);
        try
        {
            if (content.CanSeek)
            {
                long length = content.Length - content.Position;
                CountBytes(RequestKind.Put, length); // sent, even if the answer is then lost
                activity?.SetTag(Tracing.BytesTag, length);
                await _inner.PutAsync(key, content, mode, crc32C, cancellationToken).ConfigureAwait(false);
                return;
            }

            // A stream of unknown length is counted as the store reads it; wrapping it keeps it unseekable, as it was.
            // The wrapper is never closed, so the caller's stream stays the caller's to close.
            var counted = new CountingReadStream(content, onClose: null);
            try
            {
                await _inner.PutAsync(key, counted, mode, crc32C, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                CountBytes(RequestKind.Put, counted.BytesRead);
                activity?.SetTag(Tracing.BytesTag, counted.BytesRead);
            }
        }
        catch (Exception e) when (Tracing.Fail(activity, e))
        {
            throw; // never: the filter only records
        }
    }

    public async Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        Count(RequestKind.Get, 1);
        Activity? activity = StartRequest(RequestKind.Get, key);
        Stream body;
        try
        {
            body = await _inner.GetAsync(key, range, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Tracing.Fail(activity, e);
            activity?.Dispose();
            throw;
        }

        if (activity is null)
        {
            return new CountingReadStream(body, onClose: read => CountBytes(RequestKind.Get, read));
        }

        // The request lasts until its body is read: the activity stops when the reader closes it, with the bytes received.
        return new CountingReadStream(body, onClose: read =>
        {
            CountBytes(RequestKind.Get, read);
            activity.SetTag(Tracing.BytesTag, read);
            StopWhereClosed(activity);
        });
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        Count(RequestKind.Delete, 1);
        using Activity? activity = StartRequest(RequestKind.Delete, key);
        try
        {
            await _inner.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Tracing.Fail(activity, e))
        {
            throw; // never: the filter only records
        }
    }

    public async Task DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        int perRequest = Math.Max(1, _inner.MaxKeysPerDeleteRequest);
        long requests = (keys.Count + (long)perRequest - 1) / perRequest; // repeated keys, dropped by the store, may make this one high
        Count(RequestKind.Delete, requests);

        // One activity for the call, however many requests the store splits it into: they happen inside the store.
        using Activity? activity = requests > 0 ? StartRequest(RequestKind.Delete, key: null) : null;
        activity?.SetTag(Tracing.ObjectsTag, keys.Count);
        try
        {
            await _inner.DeleteManyAsync(keys, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Tracing.Fail(activity, e))
        {
            throw; // never: the filter only records
        }
    }

    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Count(RequestKind.List, 1); // the first page is asked for even when nothing comes back

        // One activity for the listing, from the first page to the last key (the pages happen inside the store).
        // Started in the iterator, it is current only here: the caller's own activity stays current between keys.
        using Activity? activity = StartRequest(RequestKind.List, prefix);
        long listed = 0;
        IAsyncEnumerator<ObjectMeta> keys = _inner.ListAsync(prefix, startAfter, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (keys.ConfigureAwait(false))
        {
            while (true)
            {
                if (!await Tracing.MoveNextAsync(keys, activity).ConfigureAwait(false))
                {
                    break;
                }

                if (listed > 0 && listed % KeysPerListPage == 0)
                {
                    Count(RequestKind.List, 1);
                }

                listed++;
                activity?.SetTag(Tracing.ObjectsTag, listed);
                yield return keys.Current;
            }
        }
    }

    /// <summary>Starts a request's activity, child of the current one, or returns <see langword="null"/> when nobody listens.</summary>
    /// <param name="kind">The request's kind.</param>
    /// <param name="key">The object's key; for a listing, the prefix listed; <see langword="null"/> for a bulk delete.</param>
    private Activity? StartRequest(RequestKind kind, string? key)
    {
        Activity? activity = Tracing.Start(Tracing.Request, (string)_prefixTag.Value!, kind: ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag(Tracing.RequestKindTag, kind.Name);
            if (key is not null)
            {
                activity.SetTag(Tracing.KeyTag, key);
            }
        }

        return activity;
    }

    /// <summary>Stops a GET's activity where its body is closed, leaving that place's current activity as it was.</summary>
    /// <remarks>
    /// <see cref="Activity.Stop"/> makes current the activity that was current when it started, wherever it stops;
    /// a reader closing a body elsewhere keeps its own.
    /// </remarks>
    private static void StopWhereClosed(Activity activity)
    {
        Activity? current = Activity.Current;
        activity.Dispose();
        Activity.Current = current;
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
