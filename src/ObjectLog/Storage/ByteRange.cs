namespace ObjectLog.Storage;

/// <summary>A run of bytes within an object: <see cref="Length"/> bytes starting at <see cref="Offset"/>.</summary>
public readonly record struct ByteRange
{
    /// <summary>Creates a range.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> or <paramref name="length"/> is negative.</exception>
    public ByteRange(long offset, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Offset = offset;
        Length = length;
    }

    /// <summary>The first byte's position.</summary>
    public long Offset { get; }

    /// <summary>How many bytes.</summary>
    public long Length { get; }

    /// <summary>One past the last byte.</summary>
    public long End => Offset + Length;
}
