namespace ObjectLog.Internal;

/// <summary>
/// What the fetch window hands to framing and checking: fetched bytes of one stored unit of a plan: all of it, or one of the consecutive ranged parts it is read in.
/// The bytes belong to the window and stay valid until it hands out the next part or is disposed.
/// </summary>
internal readonly struct ReadPart(ReadUnit unit, bool isLast, byte[] buffer, int length)
{
    /// <summary>The unit the bytes belong to.</summary>
    public ReadUnit Unit { get; } = unit;

    /// <summary>Whether this is the unit's last (or only) part.</summary>
    public bool IsLast { get; } = isLast;

    public ReadOnlySpan<byte> Span => buffer.AsSpan(0, length);
}
