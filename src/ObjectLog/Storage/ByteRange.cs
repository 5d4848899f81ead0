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

    /// <summary>
    /// The bytes <see cref="IObjectStore.GetAsync"/> returns for <paramref name="range"/> from an object of
    /// <paramref name="objectLength"/> bytes: the whole object for <see langword="null"/>, otherwise the range cut at
    /// the object's end (empty, at the end, if it starts there or past it).
    /// </summary>
    /// <remarks>A backend that can read any part of an object (a buffer, a file) serves a ranged get with this.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="objectLength"/> is negative.</exception>
    public static ByteRange Within(ByteRange? range, long objectLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(objectLength);
        if (range is not { } r)
        {
            return new ByteRange(0, objectLength);
        }

        long offset = Math.Min(r.Offset, objectLength);
        return new ByteRange(offset, Math.Min(r.Length, objectLength - offset));
    }
}
