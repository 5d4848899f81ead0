using System.Buffers;

namespace ObjectLog.Internal;

/// <summary>
/// Events laid out as they will be stored (each followed by <c>\n</c>) in one pooled array, so appending
/// copies bytes and allocates nothing unless the array must grow.
/// </summary>
internal sealed class EventBuffer
{
    private byte[] _array;

    public EventBuffer(int initialCapacity) => _array = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int Length { get; private set; }

    public int Count { get; private set; }

    public ReadOnlyMemory<byte> Memory => _array.AsMemory(0, Length);

    public void Append(ReadOnlySpan<byte> line)
    {
        int needed = Length + line.Length + 1;
        EnsureCapacity(needed);
        line.CopyTo(_array.AsSpan(Length));
        _array[Length + line.Length] = (byte)'\n';
        Length = needed;
        Count++;
    }

    /// <summary>Appends every event of <paramref name="other"/>, in order.</summary>
    public void Append(EventBuffer other)
    {
        EnsureCapacity(Length + other.Length);
        other.Memory.Span.CopyTo(_array.AsSpan(Length));
        Length += other.Length;
        Count += other.Count;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed > _array.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _array.Length * 2));
            _array.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_array);
            _array = bigger;
        }
    }

    /// <summary>Gives the array back to the pool; the buffer must not be used afterwards.</summary>
    public void Release()
    {
        ArrayPool<byte>.Shared.Return(_array);
        _array = [];
        Length = 0;
        Count = 0;
    }
}
