namespace ObjectLog.Internal;

/// <summary>
/// Frames one unit's JSON Lines into events, synchronously, over spans of its bytes as they arrive in consecutive
/// chunks (the parts of a ranged read), naming each event's batch where the unit's layout is known and checking
/// that layout. Read path: list → plan → fetch window → <b>frame</b> and check lines → events; the plan reader
/// checks checksums beside it.
/// </summary>
/// <remarks>
/// An event that spans chunks comes out whole. <see cref="Complete"/> refuses a stored unit that is empty, does not
/// end in a newline, or holds fewer events than its manifest gives; <see cref="Add"/> one that holds more.
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

    private LineReader(string? key, long offset, IReadOnlyList<ManifestBatch>? layout, string? batch)
    {
        _key = key;
        _offset = offset;
        _layout = layout;
        _batch = layout is null ? batch : layout[0].Name;
    }

    /// <summary>A reader for one unit of a plan: a stored object or range, or a batch in memory.</summary>
    public static LineReader For(ReadUnit unit)
        => new(unit.Key, unit.Range?.Offset ?? 0, unit.Batches, unit.FirstBatch == unit.LastBatch ? unit.FirstBatch : null); // merged data read whole: batches unknown

    /// <summary>The refusal of a stored unit that holds fewer events (or bytes) from its start than its manifest gives.</summary>
    public static CorruptObjectException FewerEvents(string key, long offset) => new(key, $"it holds fewer events from byte {offset} than its manifest gives");

    /// <summary>Adds the events that end in <paramref name="chunk"/>; bytes after the last newline wait for the next chunk.</summary>
    /// <exception cref="CorruptObjectException">The unit holds more events than its manifest gives.</exception>
    public void Add(ReadOnlySpan<byte> chunk, List<PlannedEvent> events)
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

    /// <summary>Checks the unit's end: a stored unit is not empty, ends in a newline and holds what its manifest gives.</summary>
    /// <exception cref="CorruptObjectException">It does not; the message names the key.</exception>
    public void Complete()
    {
        if (_key is null)
        {
            return; // memory: written by this writer, well-formed by construction
        }

        if (!_any)
        {
            throw new CorruptObjectException(_key, "it is empty (a batch holds at least one event)");
        }

        if (_carried > 0)
        {
            throw new CorruptObjectException(_key, $"it is truncated: the last {_carried} bytes are not followed by a newline");
        }

        if (_layout is not null && (_entry != _layout.Count - 1 || _line != _layout[_entry].Lines))
        {
            throw FewerEvents(_key, _offset);
        }
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
