using System.Runtime.CompilerServices;
using ObjectLog.Storage;

namespace ObjectLog.Benchmarks;

/// <summary>
/// Makes any store as slow per request as a remote object store's round trip, and counts requests by kind. The
/// delay is an awaited timer, not a blocked thread, so requests overlap exactly as far as the caller lets them,
/// as they would against a remote store: what it measures is how many round trips a caller waits for in a row.
/// </summary>
/// <remarks>
/// <para>Every PUT, GET and DELETE (versioned reads and puts among them) waits <c>latency</c> before the inner store acts (so a PUT is not visible until its round trip is over).</para>
/// <para>
/// A listing waits <c>latency</c> once for the call and once more before key 1,001, 2,001, …, and counts that
/// many LIST requests: S3 and Azure return at most 1,000 keys a page, and each page is a request. An empty
/// listing is one request. Like theirs, it returns keys in key order (<see cref="ListsInKeyOrder"/>).
/// </para>
/// <para>A bulk delete is one DELETE request per 1,000 keys, as S3's DeleteObjects; the requests overlap.</para>
/// </remarks>
internal sealed class LatencyObjectStore(IObjectStore inner, TimeSpan latency) : IObjectStore
{
    public const int KeysPerListPage = 1000;

    private long _puts;
    private long _gets;
    private long _deletes;
    private long _lists;
    private long _putBytes;
    private long _getBytes;
    private readonly System.Collections.Concurrent.ConcurrentQueue<Listing> _listings = new();

    public IObjectStore Inner => inner;

    public TimeSpan Latency => latency;

    /// <summary>Requests made so far; subtract an earlier snapshot to count one operation's.</summary>
    public RequestCounts Requests => new(Interlocked.Read(ref _puts), Interlocked.Read(ref _gets), Interlocked.Read(ref _deletes), Interlocked.Read(ref _lists));

    /// <summary>Bytes sent by PUTs so far: the bodies as stored.</summary>
    public long PutBytes => Interlocked.Read(ref _putBytes);

    /// <summary>Bytes GETs returned so far: each response's whole body (or range), as a store sends it.</summary>
    public long GetBytes => Interlocked.Read(ref _getBytes);

    /// <summary>Every listing so far, in the order they ended: what was asked for and how many keys came back.</summary>
    public IReadOnlyCollection<Listing> Listings => _listings;

    public bool SupportsCreateOnly => inner.SupportsCreateOnly;

    public int MaxKeysPerDeleteRequest => KeysPerListPage; // as S3's DeleteObjects, so the log's own request bill agrees

    public bool ListsInKeyOrder => true;

    /// <summary>A clock reading is one small LIST, as the log counts it (S3 reads the Date of a one-key listing).</summary>
    public async ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _lists);
        await Task.Delay(latency, cancellationToken);
        return await inner.GetTimeAsync(cancellationToken);
    }

    public async Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _puts);
        content = await SeekableAsync(content, cancellationToken);
        Interlocked.Add(ref _putBytes, content.Length - content.Position);
        await Task.Delay(latency, cancellationToken);
        await inner.PutAsync(key, content, mode, cancellationToken);
    }

    public bool SupportsConditionalUpdate => inner.SupportsConditionalUpdate;

    public async Task<string> PutVersionedAsync(string key, ReadOnlyMemory<byte> content, PutMode mode, string? version, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _puts);
        Interlocked.Add(ref _putBytes, content.Length);
        await Task.Delay(latency, cancellationToken);
        return await inner.PutVersionedAsync(key, content, mode, version, cancellationToken);
    }

    public async Task<VersionedObject> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _gets);
        await Task.Delay(latency, cancellationToken);
        VersionedObject read = await inner.GetVersionedAsync(key, cancellationToken);
        Interlocked.Add(ref _getBytes, read.Content.Length);
        return read;
    }

    public async Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _gets);
        await Task.Delay(latency, cancellationToken);
        Stream response = await inner.GetAsync(key, range, cancellationToken);
        Stream body = await SeekableAsync(response, cancellationToken);
        if (body != response)
        {
            await response.DisposeAsync();
        }

        Interlocked.Add(ref _getBytes, body.Length - body.Position);
        return body;
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _deletes);
        await Task.Delay(latency, cancellationToken);
        await inner.DeleteAsync(key, cancellationToken);
    }

    public async Task DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        int requests = (keys.Count + KeysPerListPage - 1) / KeysPerListPage;
        Interlocked.Add(ref _deletes, requests);
        await Task.WhenAll(Enumerable.Range(0, requests).Select(_ => Task.Delay(latency, cancellationToken)));
        await inner.DeleteManyAsync(keys, cancellationToken);
    }

    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _lists);
        await Task.Delay(latency, cancellationToken);
        int returned = 0;
        foreach (ObjectMeta meta in await inner.ListSortedAsync(prefix, startAfter, cancellationToken))
        {
            if (returned > 0 && returned % KeysPerListPage == 0)
            {
                Interlocked.Increment(ref _lists);
                await Task.Delay(latency, cancellationToken);
            }

            returned++;
            yield return meta;
        }

        _listings.Enqueue(new Listing(prefix, startAfter, returned));
    }

    /// <summary>The stream itself if its length is known, else a copy of its bytes in memory (the stream is left to its owner): what a body weighs is counted, not guessed.</summary>
    private static async ValueTask<Stream> SeekableAsync(Stream stream, CancellationToken cancellationToken)
    {
        if (stream.CanSeek)
        {
            return stream;
        }

        var copy = new MemoryStream();
        await stream.CopyToAsync(copy, cancellationToken);
        copy.Position = 0;
        return copy;
    }

    /// <summary>One listing: its prefix, where it started, and how many keys it returned (all, unless the caller stopped early).</summary>
    public sealed record Listing(string Prefix, string? StartAfter, int Keys);
}
