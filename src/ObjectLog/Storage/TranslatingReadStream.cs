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
internal sealed class TranslatingReadStream(Stream inner, Func<Exception, bool> isFailure, Func<Exception, CancellationToken, Task<Exception>> translate) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Exception failure;
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (isFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            failure = e;
        }

        throw await translate(failure, cancellationToken).ConfigureAwait(false);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
