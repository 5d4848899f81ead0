using System.Collections.Concurrent;

namespace ObjectLog.KitBackend;

/// <summary>
/// A stand-in for a remote object service with the habits of a real one, so the store in front of it has to do what a
/// cloud backend does: it answers a ranged read from the range's start to the object's end (more than was asked), it
/// breaks off a body whose object is deleted while it streams, it deletes at most <see cref="MaxKeysPerDelete"/> keys
/// a request and reports each, and it lists in pages. Its errors are <see cref="KitServiceException"/>s with HTTP-like
/// status codes, which the store translates at its edge.
/// </summary>
public sealed class KitService
{
    /// <summary>The most keys one <see cref="DeleteBatch"/> request takes.</summary>
    public const int MaxKeysPerDelete = 100;

    private readonly ConcurrentDictionary<string, Blob> _blobs = new(StringComparer.Ordinal);

    /// <summary>Stores a blob; with <paramref name="ifNoneMatch"/>, only if the key is free (atomically).</summary>
    /// <exception cref="KitServiceException">412: <paramref name="ifNoneMatch"/> and the key exists.</exception>
    public void Put(string key, byte[] data, string contentType, bool ifNoneMatch)
    {
        var blob = new Blob(data, contentType, DateTimeOffset.UtcNow);
        if (!ifNoneMatch)
        {
            _blobs[key] = blob;
        }
        else if (!_blobs.TryAdd(key, blob))
        {
            throw new KitServiceException(412, "PreconditionFailed");
        }
    }

    /// <summary>The size of a blob.</summary>
    /// <exception cref="KitServiceException">404: no such blob.</exception>
    public long Head(string key) => Find(key).Data.Length;

    /// <summary>A blob's bytes from <paramref name="offset"/> to its end, streamed; the stream fails if the blob is deleted meanwhile.</summary>
    /// <exception cref="KitServiceException">404: no such blob.</exception>
    public Stream Read(string key, long offset)
    {
        Blob blob = Find(key);
        return new Body(this, key, blob, (int)Math.Min(offset, blob.Data.Length));
    }

    /// <summary>Deletes up to <see cref="MaxKeysPerDelete"/> blobs; for each key, <see langword="null"/> if deleted (or absent), else the error code.</summary>
    /// <exception cref="KitServiceException">400: too many keys.</exception>
    public IReadOnlyDictionary<string, string?> DeleteBatch(IReadOnlyList<string> keys)
    {
        if (keys.Count > MaxKeysPerDelete)
        {
            throw new KitServiceException(400, "TooManyKeys");
        }

        var results = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (string key in keys)
        {
            _blobs.TryRemove(key, out _);
            results[key] = null;
        }

        return results;
    }

    /// <summary>Deletes one blob; absent is fine.</summary>
    public void Delete(string key) => _blobs.TryRemove(key, out _);

    /// <summary>One page of blobs whose names start with <paramref name="prefix"/> and sort after <paramref name="marker"/>, in name order.</summary>
    public IReadOnlyList<(string Key, long Size, DateTimeOffset LastModified)> List(string prefix, string? marker, int pageSize)
        => _blobs
            .Where(b => b.Key.StartsWith(prefix, StringComparison.Ordinal) && (marker is null || string.CompareOrdinal(b.Key, marker) > 0))
            .OrderBy(b => b.Key, StringComparer.Ordinal)
            .Take(pageSize)
            .Select(b => (b.Key, (long)b.Value.Data.Length, b.Value.LastModified))
            .ToList();

    private Blob Find(string key) => _blobs.TryGetValue(key, out Blob? blob) ? blob : throw new KitServiceException(404, "NoSuchKey");

    private bool IsCurrent(string key, Blob blob) => _blobs.TryGetValue(key, out Blob? now) && ReferenceEquals(now, blob);

    private sealed record Blob(byte[] Data, string ContentType, DateTimeOffset LastModified);

    /// <summary>A body on the wire: it breaks off, as a connection would, once its blob is no longer the one stored.</summary>
    private sealed class Body(KitService service, string key, Blob blob, int position) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (!service.IsCurrent(key, blob))
            {
                throw new KitServiceException(0, "ConnectionReset");
            }

            int n = Math.Min(count, blob.Data.Length - position);
            Array.Copy(blob.Data, position, buffer, offset, n);
            position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
