namespace ObjectLog.Storage;

/// <summary>Byte-array conveniences over <see cref="IObjectStore"/>.</summary>
public static class ObjectStoreExtensions
{
    /// <summary>Writes <paramref name="data"/> as the whole object.</summary>
    public static Task PutAsync(this IObjectStore store, string key, ReadOnlyMemory<byte> data, PutMode mode = PutMode.Overwrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.PutAsync(key, new ReadOnlyMemoryStream(data), mode, cancellationToken);
    }

    /// <summary>Writes <paramref name="data"/>, whose CRC-32C is <paramref name="crc32C"/>, as the whole object; see <see cref="IObjectStore.PutAsync(string, Stream, PutMode, uint, CancellationToken)"/>.</summary>
    internal static Task PutAsync(this IObjectStore store, string key, ReadOnlyMemory<byte> data, PutMode mode, uint crc32C, CancellationToken cancellationToken)
        => store.PutAsync(key, new ReadOnlyMemoryStream(data), mode, crc32C, cancellationToken);

    /// <summary>Forwards a put with the checksum when there is one: what a decorator store does with either overload.</summary>
    internal static Task PutAsync(this IObjectStore store, string key, Stream content, PutMode mode, uint? crc32C, CancellationToken cancellationToken)
        => crc32C is uint crc ? store.PutAsync(key, content, mode, crc, cancellationToken) : store.PutAsync(key, content, mode, cancellationToken);

    /// <summary>Reads a whole object, or the part <paramref name="range"/> names, into memory.</summary>
    public static async Task<byte[]> GetBytesAsync(this IObjectStore store, string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        Stream stream = await store.GetAsync(key, range, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            if (stream is MemoryStream ms && ms.Position == 0)
            {
                return ms.ToArray();
            }

            using var buffer = new MemoryStream(stream.CanSeek ? (int)Math.Min(stream.Length, int.MaxValue) : 0);
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    /// <summary>Lists every object under <paramref name="prefix"/> and returns them sorted by key (ordinal).</summary>
    public static async Task<List<ObjectMeta>> ListSortedAsync(this IObjectStore store, string prefix, string? startAfter = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var result = new List<ObjectMeta>();
        await foreach (ObjectMeta meta in store.ListAsync(prefix, startAfter, cancellationToken).ConfigureAwait(false))
        {
            result.Add(meta);
        }

        result.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return result;
    }
}
