using System.IO.Hashing;

namespace ObjectLog.Internal;

/// <summary>
/// Checks one stored unit's bytes against their CRC-32C as they arrive. Read path: list → plan → fetch window →
/// frame and <b>check</b> lines → events: the plan reader feeds each part through it beside the line framing, and
/// hands out no event before the bytes holding it have passed.
/// </summary>
/// <remarks>
/// Batch by batch where the manifest gives each batch's CRC-32C (<see cref="ReadUnit.ChecksumsBatches"/>): the
/// bytes are cut at each batch's end (<see cref="Take"/>), and each batch is checked there. Otherwise the whole unit
/// (a batch object, or merged data read whole) against the CRC-32C in its name, at its end. So a reader holds at
/// most one batch (or one unread-in-parts object) of events back. Units without checksums (written before them, or
/// in memory) get no check at all (<see cref="For"/> is <see langword="null"/>).
/// </remarks>
internal sealed class ChecksumCheck
{
    private readonly string _key;
    private readonly long _offset;
    private readonly IReadOnlyList<ManifestBatch>? _layout; // checked batch by batch when set
    private readonly uint? _wholeCrc;
    private readonly Crc32 _crc = Crc32C.Create();
    private int _checked;
    private long _checkedLeft;
    private long _position;

    private ChecksumCheck(string key, long offset, IReadOnlyList<ManifestBatch>? layout, uint? wholeCrc)
    {
        _key = key;
        _offset = offset;
        _layout = layout;
        _wholeCrc = wholeCrc;
        _checkedLeft = layout?[0].Length ?? 0;
    }

    /// <summary>The check of a unit whose bytes a checksum covers; <see langword="null"/> for one without (or in memory).</summary>
    /// <remarks>A compressed unit is checked where it is decoded (<see cref="FrameReader"/>), before this step.</remarks>
    public static ChecksumCheck? For(ReadUnit unit)
        => unit.Key is null || unit.Encoding != LogCompression.None ? null
        : unit.ChecksumsBatches ? new ChecksumCheck(unit.Key, unit.Range?.Offset ?? 0, unit.Batches, null)
        : unit.Crc is { } crc ? new ChecksumCheck(unit.Key, unit.Range?.Offset ?? 0, null, crc)
        : null;

    /// <summary>Whether the whole unit is checked at its end, so its events wait for <see cref="CheckWhole"/>.</summary>
    public bool IsWhole => _layout is null;

    /// <summary>Whether every batch the layout gives has been read and checked (always, for a unit checked whole).</summary>
    public bool Finished => _layout is null || _checked == _layout.Count;

    /// <summary>How many of <paramref name="available"/> bytes to take next: up to the end of the batch being checked.</summary>
    /// <exception cref="CorruptObjectException">Every batch the manifest gives has been read, and bytes are left.</exception>
    public int Take(int available)
    {
        if (_layout is null)
        {
            return available;
        }

        if (_checked == _layout.Count)
        {
            throw new CorruptObjectException(_key, $"it holds more bytes from byte {_offset} than its manifest gives");
        }

        return (int)Math.Min(available, _checkedLeft);
    }

    /// <summary>
    /// Runs the checksum over <paramref name="bytes"/> (no more than <see cref="Take"/> allowed); at a batch's end,
    /// checks it and returns whether it passed in <paramref name="failure"/>.
    /// </summary>
    /// <returns>Whether <paramref name="bytes"/> ended a batch (and <paramref name="failure"/> says how its check went).</returns>
    public bool Append(ReadOnlySpan<byte> bytes, out CorruptObjectException? failure)
    {
        failure = null;
        _crc.Append(bytes);
        _position += bytes.Length;
        if (_layout is null)
        {
            return false;
        }

        _checkedLeft -= bytes.Length;
        if (_checkedLeft > 0)
        {
            return false;
        }

        ManifestBatch batch = _layout[_checked];
        failure = Check(batch.Crc!.Value, _position - batch.Length, batch.Length);
        _checkedLeft = ++_checked < _layout.Count ? _layout[_checked].Length : 0;
        return true;
    }

    /// <summary>For a unit checked whole, at its end: the mismatch, if its bytes do not match; otherwise <see langword="null"/>.</summary>
    public CorruptObjectException? CheckWhole() => _wholeCrc is { } expected ? Check(expected, 0, _position) : null;

    private CorruptObjectException? Check(uint expected, long start, long length)
    {
        uint actual = _crc.GetCurrentHashAsUInt32();
        _crc.Reset();
        return actual == expected ? null : Mismatch(_key, _offset + start, length, actual, expected);
    }

    /// <summary>
    /// Checks <paramref name="bytes"/>, stored from <paramref name="offset"/> of <paramref name="key"/>, against
    /// <paramref name="expected"/> at once: the refusal if they do not match, else <see langword="null"/>.
    /// </summary>
    public static CorruptObjectException? Verify(string key, long offset, ReadOnlySpan<byte> bytes, uint expected)
        => Crc32C.Compute(bytes) is var actual && actual != expected ? Mismatch(key, offset, bytes.Length, actual, expected) : null;

    /// <summary>The refusal of <paramref name="length"/> stored bytes from <paramref name="offset"/> whose CRC-32C is not the one written.</summary>
    public static CorruptObjectException Mismatch(string key, long offset, long length, uint actual, uint expected)
        => new(key, $"its {length} bytes from byte {offset} do not match their CRC-32C ({actual:x8}, written as {expected:x8}): they changed after they were written");
}
