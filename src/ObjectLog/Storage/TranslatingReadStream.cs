namespace ObjectLog.Storage;

/// <summary>
/// An object's body as a cloud SDK streams it, with failures while reading it translated by the store, as the
/// request's own are: an object deleted while its body streams (a compaction superseded it) ends the body early,
/// which the SDK reports as a checksum mismatch, a broken connection or a failed retry; if the object is gone by
/// then, the store answers <see cref="ObjectNotFoundException"/>, so a reader lists again rather than failing.
/// </summary>
/// <param name="inner">The SDK's stream; owned.</param>
/// <param name="isFailure">Which exceptions from <paramref name="inner"/> are the store's to translate.</param>
/// <param name="translate">Turns such an exception into the one to throw.</param>
internal sealed class TranslatingReadStream(Stream inner, Func<Exception, bool> isFailure, Func<Exception, CancellationToken, Task<Exception>> translate) : ForwardReadStream(inner)
{
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Exception failure;
        try
        {
            return await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (isFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            failure = e;
        }

        throw await translate(failure, cancellationToken).ConfigureAwait(false);
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
}
