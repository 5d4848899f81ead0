using System.Buffers;

namespace ObjectLog.S3;

/// <summary>
/// Holds up to one part plus one byte of an upload, read from a stream, in a pooled array that grows only as far
/// as the data needs. The extra byte tells "exactly one part" from "more to come" without a second buffer.
/// </summary>
internal sealed class PartBuffer : IDisposable
{
    private const int InitialSize = 64 * 1024;

    private readonly int _capacity;
    private byte[] _array;

    public PartBuffer(int partSize, long? remainingHint)
    {
        _capacity = partSize + 1;
        long initial = remainingHint is { } hint ? hint + 1 : InitialSize;
        _array = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(initial, 1, _capacity));
    }

    /// <summary>How many bytes are buffered.</summary>
    public int Count { get; private set; }

    /// <summary>Whether the buffer holds more than one part, so the upload needs more than one part.</summary>
    public bool HoldsMoreThanOnePart => Count == _capacity;

    /// <summary>The part size this buffer was made for.</summary>
    public int PartSize => _capacity - 1;

    /// <summary>Reads from <paramref name="source"/> until the buffer is full or the stream ends.</summary>
    /// <exception cref="ContentReadException">Reading <paramref name="source"/> failed; the caller's error is inside.</exception>
    public async Task FillAsync(Stream source, CancellationToken cancellationToken)
    {
        while (Count < _capacity)
        {
            if (Count == _array.Length)
            {
                Grow();
            }

            int limit = Math.Min(_array.Length, _capacity);
            int n;
            try
            {
                n = await source.ReadAsync(_array.AsMemory(Count, limit - Count), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new ContentReadException(e);
            }

            if (n == 0)
            {
                return;
            }

            Count += n;
        }
    }

    /// <summary>A read-only stream over the first <paramref name="length"/> buffered bytes (no copy).</summary>
    public MemoryStream OpenRead(int length) => new(_array, 0, length, writable: false, publiclyVisible: true);

    /// <summary>Drops the first <paramref name="length"/> bytes, moving the rest to the front.</summary>
    public void Consume(int length)
    {
        Buffer.BlockCopy(_array, length, _array, 0, Count - length);
        Count -= length;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_array);
        _array = [];
        Count = 0;
    }

    private void Grow()
    {
        byte[] bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)_array.Length * 2, _capacity));
        Buffer.BlockCopy(_array, 0, bigger, 0, Count);
        ArrayPool<byte>.Shared.Return(_array);
        _array = bigger;
    }
}

/// <summary>Carries an error from the caller's content stream past the store's SDK-error translation.</summary>
internal sealed class ContentReadException(Exception inner) : Exception(inner.Message, inner);
