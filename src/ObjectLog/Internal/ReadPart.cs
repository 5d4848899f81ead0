namespace ObjectLog.Internal;

/// <summary>
/// Fetched bytes of one stored unit of a plan: all of it, or one of the consecutive ranged parts it is read in.
/// The bytes belong to the <see cref="ReadWindow"/> and stay valid until its next <see cref="ReadWindow.NextAsync"/> or its disposal.
/// </summary>
internal readonly struct ReadPart(ReadUnit unit, bool isLast, byte[] buffer, int length)
{
    /// <summary>The unit the bytes belong to.</summary>
    public ReadUnit Unit { get; } = unit;

    /// <summary>Whether this is the unit's last (or only) part.</summary>
    public bool IsLast { get; } = isLast;

    public ReadOnlySpan<byte> Span => buffer.AsSpan(0, length);
}
