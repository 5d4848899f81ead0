using System.IO.Hashing;

namespace ObjectLog.Internal;

/// <summary>
/// Splits one unit's JSON Lines into events, synchronously, over spans of its bytes as they arrive in consecutive
/// chunks (the parts of a ranged read), naming each event's batch where the unit's layout is known and checking
/// that layout. An event that spans chunks comes out whole. <see cref="Complete"/> refuses a stored unit that is
/// empty or does not end in a newline.
/// </summary>
/// <remarks>
/// Where checksums are known it checks them, and hands out no event before the bytes holding it have passed: batch
/// by batch where the manifest gives each batch's CRC-32C, otherwise the whole unit (a batch object, or merged data
/// read whole) against the CRC-32C in its name. So a reader holds at most one batch (or one unread-in-parts
/// object) of events back. Units without checksums (written before them) are read unchecked.
/// </remarks>
internal sealed class LineReader
{
    private readonly string? _key;
    private readonly long _offset;
    private readonly IReadOnlyList<ManifestBatch>? _layout;
    private string? _batch;
    private int _entry;
    private int _line;
    private byte[] _carry = [];
    private int _carried;
    private bool _any;

    // Checksums: _crc runs over the bytes of the batch being checked (_checked, when the layout has every batch's
    // CRC) or of the whole unit (_wholeCrc); their events wait in _pending until they pass.
    private readonly Crc32? _crc;
    private readonly uint? _wholeCrc;
    private readonly List<PlannedEvent>? _pending;
    private int _checked;
    private long _checkedLeft;
    private long _position;

    private LineReader(string? key, long offset, IReadOnlyList<ManifestBatch>? layout, string? batch, bool checkBatches, uint? wholeCrc)
    {
        _key = key;
        _offset = offset;
        _layout = layout;
        _batch = layout is null ? batch : layout[0].Name;
        if (checkBatches)
        {
            _crc = Crc32C.Create();
            _pending = [];
            _checkedLeft = layout![0].Length;
        }
        else if (wholeCrc is not null)
        {
            _crc = Crc32C.Create();
            _pending = [];
            _wholeCrc = wholeCrc;
        }
    }

    /// <summary>A reader for one unit of a plan: a stored object or range, or a batch in memory.</summary>
    public static LineReader For(ReadUnit unit)
        => new(unit.Key, unit.Range?.Offset ?? 0, unit.Batches, unit.FirstBatch == unit.LastBatch ? unit.FirstBatch : null, unit.ChecksumsBatches, unit.Crc); // merged data read whole: batches unknown

    /// <summary>Splits well-formed bytes in memory (this writer's open batch) into events without a batch.</summary>
    public static void Split(ReadOnlySpan<byte> data, List<PlannedEvent> events) => new LineReader(null, 0, null, null, false, null).Add(data, events);

    /// <summary>
    /// Adds the events that end in <paramref name="chunk"/> and whose checksum, if any, has passed; bytes after
    /// the last newline, and events whose batch (or unit) has not been read to its end, wait for the next chunk.
    /// </summary>
    /// <remarks>
    /// A batch whose bytes do not match its checksum sets <see cref="Failure"/> instead of throwing, so the events of
    /// the batches before it in the same chunk are still handed out; nothing after it is read.
    /// </remarks>
    public void Add(ReadOnlySpan<byte> chunk, List<PlannedEvent> events)
    {
        if (Failure is not null)
        {
            return;
        }

        if (_crc is null)
        {
            SplitLines(chunk, events);
        }
        else if (_wholeCrc is not null)
        {
            _crc.Append(chunk);
            _position += chunk.Length;
            SplitLines(chunk, _pending!);
        }
        else
        {
            while (!chunk.IsEmpty)
            {
                if (_checked == _layout!.Count)
                {
                    throw new CorruptObjectException(_key!, $"it holds more bytes from byte {_offset} than its manifest gives");
                }

                int n = (int)Math.Min(chunk.Length, _checkedLeft);
                _crc.Append(chunk[..n]);
                SplitLines(chunk[..n], _pending!);
                chunk = chunk[n..];
                _position += n;
                _checkedLeft -= n;
                if (_checkedLeft == 0)
                {
                    ManifestBatch batch = _layout[_checked];
                    Failure = Check(batch.Crc!.Value, _position - batch.Length, batch.Length);
                    if (Failure is not null)
                    {
                        _pending!.Clear();
                        return;
                    }

                    Release(events);
                    _checkedLeft = ++_checked < _layout.Count ? _layout[_checked].Length : 0;
                }
            }
        }
    }

    private void SplitLines(ReadOnlySpan<byte> chunk, List<PlannedEvent> events)
    {
        if (chunk.IsEmpty)
        {
            return;
        }

        _any = true;
        if (_carried > 0)
        {
            int end = chunk.IndexOf((byte)'\n');
            if (end < 0)
            {
                Carry(chunk);
                return;
            }

            byte[] joined = new byte[_carried + end];
            _carry.AsSpan(0, _carried).CopyTo(joined);
            chunk[..end].CopyTo(joined.AsSpan(_carried));
            _carried = 0;
            Emit(joined, events);
            chunk = chunk[(end + 1)..];
        }

        int nl;
        while ((nl = chunk.IndexOf((byte)'\n')) >= 0)
        {
            Emit(chunk[..nl].ToArray(), events);
            chunk = chunk[(nl + 1)..];
        }

        if (!chunk.IsEmpty)
        {
            Carry(chunk);
        }
    }

    /// <summary>
    /// Checks the unit's end (a stored unit is not empty, ends in a newline, holds what its manifest gives and
    /// matches its checksum) and adds the events still held back for it.
    /// </summary>
    /// <exception cref="CorruptObjectException">It does not; the message names the key.</exception>
    public void Complete(List<PlannedEvent> events)
    {
        if (_key is null)
        {
            return; // memory: written by this writer, well-formed by construction
        }

        if (Failure is not null)
        {
            throw Failure;
        }

        if (_wholeCrc is not null)
        {
            if (Check(_wholeCrc.Value, 0, _position) is { } mismatch)
            {
                throw mismatch;
            }

            Release(events);
        }

        if (!_any)
        {
            throw new CorruptObjectException(_key, "it is empty (a batch holds at least one event)");
        }

        if (_carried > 0)
        {
            throw new CorruptObjectException(_key, $"it is truncated: the last {_carried} bytes are not followed by a newline");
        }

        if (_layout is not null && (_entry != _layout.Count - 1 || _line != _layout[_entry].Lines || (_crc is not null && _wholeCrc is null && _checked != _layout.Count)))
        {
            throw new CorruptObjectException(_key, $"it holds fewer events from byte {_offset} than its manifest gives");
        }
    }

    /// <summary>A batch of the unit whose bytes did not match its checksum; set by <see cref="Add"/>, thrown by <see cref="Complete"/>.</summary>
    public CorruptObjectException? Failure { get; private set; }

    private CorruptObjectException? Check(uint expected, long start, long length)
    {
        uint actual = _crc!.GetCurrentHashAsUInt32();
        _crc.Reset();
        return actual == expected
            ? null
            : new CorruptObjectException(_key!, $"its {length} bytes from byte {_offset + start} do not match their CRC-32C ({actual:x8}, written as {expected:x8}): they changed after they were written");
    }

    private void Release(List<PlannedEvent> events)
    {
        events.AddRange(_pending!);
        _pending!.Clear();
    }

    private void Emit(byte[] data, List<PlannedEvent> events)
    {
        if (_layout is not null && _line == _layout[_entry].Lines)
        {
            if (++_entry == _layout.Count)
            {
                throw new CorruptObjectException(_key!, $"it holds more events from byte {_offset} than its manifest gives");
            }

            _batch = _layout[_entry].Name;
            _line = 0;
        }

        events.Add(new PlannedEvent(_batch, _line++, data));
    }

    private void Carry(ReadOnlySpan<byte> bytes)
    {
        if (_carried + bytes.Length > _carry.Length)
        {
            Array.Resize(ref _carry, Math.Max(_carried + bytes.Length, 2 * _carry.Length));
        }

        bytes.CopyTo(_carry.AsSpan(_carried));
        _carried += bytes.Length;
    }
}
