using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// Reads a plan's units in order, a fetched part (or a batch in memory) at a time, and turns each into events
/// synchronously: one await per part, none per event. Read path: list → plan → <b>fetch window</b>
/// (<see cref="ReadWindow"/>, which it owns) → <b>frame</b> (<see cref="LineReader"/>) <b>and check</b>
/// (<see cref="ChecksumCheck"/>) lines → <b>events</b>. Reads, compactions, verify and last-events reads all read through it.
/// </summary>
/// <remarks>
/// No event leaves before the bytes holding it have passed their checksum: events of a batch checked on its own wait
/// for the batch's end, those of a unit checked whole for the unit's end, except that a unit fetched in one part
/// and checked whole is checked before it is framed, and then framed a slice a step.
/// </remarks>
internal sealed class PlanReader : IAsyncDisposable
{
    /// <summary>How many bytes of a unit checked before framing are framed a step: a few hundred events of a typical size.</summary>
    private const int SliceBytes = 64 * 1024;

    private readonly List<ReadUnit> _units;
    private readonly ReadWindow _window;
    private readonly List<PlannedEvent> _unchecked = []; // framed, waiting for their bytes' checksum
    private int _next;
    private LineReader? _lines;
    private ChecksumCheck? _check;
    private CorruptObjectException? _failure;
    private ReadPart? _checkedFirst; // a unit fetched in one part and checked before framing (see CheckFirst); valid until the window's next part
    private int _framed; // how much of _checkedFirst has been framed

    /// <param name="store">Where the units are.</param>
    /// <param name="units">The plan.</param>
    /// <param name="options">The fetch window's limits.</param>
    /// <param name="cancellationToken">Cancels every fetch.</param>
    /// <param name="prefetch">Fetches started while the plan's listing arrived, for the window to take over.</param>
    /// <param name="keepFrames">Whether to keep the stored frames of compressed batches as they pass (<see cref="Frames"/>), for a compaction to copy.</param>
    public PlanReader(IObjectStore store, List<ReadUnit> units, AppendLogOptions options, CancellationToken cancellationToken, ListingPrefetch? prefetch = null, bool keepFrames = false)
    {
        _units = units;
        _window = new ReadWindow(store, units, options, cancellationToken, prefetch, keepFrames);
    }

    /// <summary>
    /// With <c>keepFrames</c>: the stored frames of the compressed batches read so far and not yet taken, each checked
    /// against its checksum; the caller removes what it used.
    /// </summary>
    public List<StoredFrame> Frames { get; } = [];

    /// <summary>The unit the last <see cref="ReadNextAsync"/> read from.</summary>
    public ReadUnit? Unit { get; private set; }

    /// <summary>Whether the last <see cref="ReadNextAsync"/> reached the end of <see cref="Unit"/>.</summary>
    public bool UnitComplete { get; private set; }

    /// <summary>Appends the events of the next part to <paramref name="events"/> (possibly none, if one event spans the whole part).</summary>
    /// <returns><see langword="false"/> once every unit has been read.</returns>
    /// <exception cref="ObjectNotFoundException">An object vanished (a compaction superseded it); every part before it was read.</exception>
    /// <exception cref="CorruptObjectException">A unit is truncated, empty, or does not match its manifest or its checksum.</exception>
    public async ValueTask<bool> ReadNextAsync(List<PlannedEvent> events)
    {
        if (_failure is { } failure)
        {
            throw failure; // after the events of the batches before the damaged one were handed out
        }

        if (_next == _units.Count)
        {
            return false;
        }

        ReadUnit unit = _units[_next];
        bool first = _lines is null;
        if (_lines is null)
        {
            _lines = LineReader.For(unit);
            _check = ChecksumCheck.For(unit);
        }

        bool last = true;
        if (unit.Key is null)
        {
            _lines.Add(unit.Memory.Span, events);
        }
        else if (_checkedFirst is not null)
        {
            last = FrameSlice(events);
        }
        else
        {
            ReadPart part = await _window.NextAsync().ConfigureAwait(false);
            Frames.AddRange(part.Frames ?? []);
            if (first && part.IsLast && _check is { IsWhole: true } whole)
            {
                CheckFirst(whole, part);
                last = FrameSlice(events);
            }
            else
            {
                FrameAndCheck(part.Span, events);
                _failure ??= part.Failure; // a compressed part: checked as it was decoded, its damage after the bytes it carries
                last = part.IsLast && _failure is null;
            }
        }

        if (last)
        {
            Complete(unit, events);
            _lines = null;
            _check = null;
            _checkedFirst = null;
            _next++;
        }

        Unit = unit;
        UnitComplete = last;
        return true;
    }

    public ValueTask DisposeAsync() => _window.DisposeAsync();

    /// <summary>
    /// Frames <paramref name="chunk"/> and adds the events whose checksum, if any, has passed. A batch whose bytes do
    /// not match sets <see cref="_failure"/> instead of throwing, so the events of the batches before it in the same
    /// chunk are still handed out; nothing after it is read.
    /// </summary>
    private void FrameAndCheck(ReadOnlySpan<byte> chunk, List<PlannedEvent> events)
    {
        if (_check is null)
        {
            _lines!.Add(chunk, events);
            return;
        }

        while (!chunk.IsEmpty)
        {
            ReadOnlySpan<byte> bytes = chunk[.._check.Take(chunk.Length)];
            chunk = chunk[bytes.Length..];
            _lines!.Add(bytes, _unchecked);
            if (_check.Append(bytes, out CorruptObjectException? mismatch))
            {
                if (mismatch is not null)
                {
                    _failure = mismatch;
                    _unchecked.Clear();
                    return;
                }

                events.AddRange(_unchecked);
                _unchecked.Clear();
            }
        }
    }

    /// <summary>
    /// Checks a unit fetched in one part and checked whole before any of it is framed, so its events can then leave a
    /// slice at a time (<see cref="FrameSlice"/>) rather than all wait for its end: each event's array is handed out
    /// soon after it is made, so few of them live through a garbage collection. A large unit was checked as it arrived,
    /// on the thread pool (<see cref="ReadPart.Checked"/>); only its verdict is read here.
    /// </summary>
    /// <exception cref="CorruptObjectException">Its bytes do not match their CRC-32C; none of its events leaves.</exception>
    private void CheckFirst(ChecksumCheck whole, ReadPart part)
    {
        if (part.Checked)
        {
            if (part.Failure is { } failed)
            {
                throw failed; // checked as it arrived: none of its events leaves
            }
        }
        else
        {
            whole.Append(part.Span, out _);
            if (whole.CheckWhole() is { } mismatch)
            {
                throw mismatch;
            }
        }

        _check = null; // checked: what is left at the unit's end is its framing
        _checkedFirst = part;
        _framed = 0;
    }

    /// <summary>Frames about <see cref="SliceBytes"/> more of <see cref="_checkedFirst"/>, cut after a newline where there is one; returns whether it is all framed.</summary>
    private bool FrameSlice(List<PlannedEvent> events)
    {
        ReadOnlySpan<byte> part = _checkedFirst!.Value.Span;
        ReadOnlySpan<byte> rest = part[_framed..];
        if (rest.Length > SliceBytes && rest[..SliceBytes].LastIndexOf((byte)'\n') is >= 0 and var end)
        {
            rest = rest[..(end + 1)];
        }

        _lines!.Add(rest, events);
        _framed += rest.Length;
        return _framed == part.Length;
    }

    /// <summary>Checks the unit's end (its framing, its checksum) and adds the events still held back for it.</summary>
    private void Complete(ReadUnit unit, List<PlannedEvent> events)
    {
        if (unit.Key is null)
        {
            return; // memory: written by this writer, well-formed by construction
        }

        if (_failure is not null)
        {
            throw _failure;
        }

        if (_check is { IsWhole: true } whole)
        {
            if (whole.CheckWhole() is { } mismatch)
            {
                throw mismatch;
            }

            events.AddRange(_unchecked);
            _unchecked.Clear();
        }

        _lines!.Complete();
        if (_check is { Finished: false })
        {
            throw LineReader.FewerEvents(unit.Key, unit.Range?.Offset ?? 0);
        }
    }
}
