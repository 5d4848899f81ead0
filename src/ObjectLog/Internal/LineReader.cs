using System.Buffers;
using System.Runtime.CompilerServices;

namespace ObjectLog.Internal;

/// <summary>Splits stored JSON Lines into events, refusing bodies that are empty or do not end in a newline.</summary>
internal static class LineReader
{
    public static async IAsyncEnumerable<byte[]> ReadAsync(Stream stream, string key, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        byte[] chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var carry = new ArrayBufferWriter<byte>();
        bool any = false;
        try
        {
            while (true)
            {
                int read = await stream.ReadAsync(chunk.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                any = true;
                int start = 0;
                while (true)
                {
                    int nl = chunk.AsSpan(start, read - start).IndexOf((byte)'\n');
                    if (nl < 0)
                    {
                        carry.Write(chunk.AsSpan(start, read - start));
                        break;
                    }

                    byte[] line;
                    if (carry.WrittenCount > 0)
                    {
                        carry.Write(chunk.AsSpan(start, nl));
                        line = carry.WrittenSpan.ToArray();
                        carry.ResetWrittenCount();
                    }
                    else
                    {
                        line = chunk.AsSpan(start, nl).ToArray();
                    }

                    start += nl + 1;
                    yield return line;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        if (!any)
        {
            throw new CorruptObjectException(key, "it is empty (a batch holds at least one event)");
        }

        if (carry.WrittenCount > 0)
        {
            throw new CorruptObjectException(key, $"it is truncated: the last {carry.WrittenCount} bytes are not followed by a newline");
        }
    }

    public static IEnumerable<byte[]> Split(ReadOnlyMemory<byte> data)
    {
        int start = 0;
        while (start < data.Length)
        {
            int nl = data.Span[start..].IndexOf((byte)'\n');
            yield return data.Slice(start, nl).ToArray();
            start += nl + 1;
        }
    }
}
