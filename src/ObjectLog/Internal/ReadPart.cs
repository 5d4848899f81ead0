namespace ObjectLog.Internal;

/// <summary>
/// What the fetch window hands to framing and checking: fetched bytes of one stored unit of a plan: all of it, or one of the consecutive ranged parts it is read in.
/// The bytes belong to the window and stay valid until it hands out the next part or is disposed.
/// </summary>
internal readonly struct ReadPart(ReadUnit unit, bool isLast, byte[] buffer, int length, CorruptObjectException? failure = null, bool @checked = false, IReadOnlyList<StoredFrame>? frames = null)
{
    /// <summary>The unit the bytes belong to.</summary>
    public ReadUnit Unit { get; } = unit;

    /// <summary>Whether this is the unit's last (or only) part.</summary>
    public bool IsLast { get; } = isLast;

    /// <summary>The bytes: as stored, or for a compressed unit decoded (and already checked against their checksums).</summary>
    public ReadOnlySpan<byte> Span => buffer.AsSpan(0, length);

    /// <summary>For a compressed unit, damage found after <see cref="Span"/>'s bytes: the read fails once their events are out.</summary>
    public CorruptObjectException? Failure { get; } = failure;

    /// <summary>
    /// Whether a unit read whole in this one part was already checked against its checksum as it arrived (a large
    /// plain unit): it passed, or <see cref="Failure"/> says how it did not, and none of its events may leave.
    /// </summary>
    public bool Checked { get; } = @checked;

    /// <summary>For a compaction's read of a compressed unit: the stored frames of the batches that passed, in order.</summary>
    public IReadOnlyList<StoredFrame>? Frames { get; } = frames;
}
