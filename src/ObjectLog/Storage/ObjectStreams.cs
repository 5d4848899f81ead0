namespace ObjectLog.Storage;

/// <summary>
/// The streams a backend hands out from <see cref="IObjectStore.GetAsync"/> and recognises in
/// <see cref="IObjectStore.PutAsync(string, Stream, PutMode, CancellationToken)"/>: an object's body read forward
/// only, cut to a range, with the SDK's failures while reading translated; and the in-memory content the library
/// itself writes, whose bytes a backend can take without a copy.
/// </summary>
public static class ObjectStreams
{
    /// <summary>
    /// A read-only, seekable stream over <paramref name="bytes"/>, without copying them. The library puts its own
    /// batches as such streams; a backend that holds objects in memory can return one from a get.
    /// </summary>
    public static Stream FromMemory(ReadOnlyMemory<byte> bytes) => new ReadOnlyMemoryStream(bytes);

    /// <summary>
    /// The bytes of <paramref name="content"/> not yet read, if it is a stream made by <see cref="FromMemory"/> (as
    /// every put of the library's own batches is), so a backend can store or send them without reading the stream.
    /// The stream's position does not move.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="content"/> is <see langword="null"/>.</exception>
    public static bool TryGetMemory(Stream content, out ReadOnlyMemory<byte> remaining)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content is ReadOnlyMemoryStream memory)
        {
            remaining = memory.Remaining;
            return true;
        }

        remaining = default;
        return false;
    }

    /// <summary>
    /// Reads at most <paramref name="length"/> bytes of <paramref name="inner"/>, then reports the end of the stream:
    /// for a server that answers a ranged request with more than was asked. Forward only; owns
    /// <paramref name="inner"/>, so disposing it disposes that.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public static Stream Bounded(Stream inner, long length)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new BoundedReadStream(inner, length);
    }

    /// <summary>
    /// An object's body as an SDK streams it, with failures while reading it translated as the request's own are.
    /// An object deleted while its body streams (a compaction superseded it) ends the body early, which an SDK reports
    /// as a checksum mismatch, a broken connection or a failed retry; the contract wants
    /// <see cref="ObjectNotFoundException"/> then, so a reader lists again rather than failing. A typical
    /// <paramref name="translate"/> asks the store whether the object still exists: if not, it returns that
    /// exception, else a transient <see cref="ObjectStoreException"/>. Forward only; owns <paramref name="inner"/>.
    /// </summary>
    /// <param name="inner">The SDK's stream.</param>
    /// <param name="isFailure">Which exceptions from <paramref name="inner"/> are the store's to translate; others, and any after the caller cancelled, pass unchanged.</param>
    /// <param name="translate">Turns such an exception into the one to throw.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static Stream TranslatingFailures(Stream inner, Func<Exception, bool> isFailure, Func<Exception, CancellationToken, Task<Exception>> translate)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(isFailure);
        ArgumentNullException.ThrowIfNull(translate);
        return new TranslatingReadStream(inner, isFailure, translate);
    }
}
