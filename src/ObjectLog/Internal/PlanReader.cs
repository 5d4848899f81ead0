using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// Reads a plan's units in order, a fetched part (or a batch in memory) at a time, and splits each into events
/// synchronously: one await per part, none per event. Reads and compactions both read through it.
/// </summary>
internal sealed class PlanReader : IAsyncDisposable
{
    private readonly List<ReadUnit> _units;
    private readonly ReadWindow _window;
    private int _next;
    private LineReader? _lines;

    public PlanReader(IObjectStore store, List<ReadUnit> units, AppendLogOptions options, CancellationToken cancellationToken, ListingPrefetch? prefetch = null)
    {
        _units = units;
        _window = new ReadWindow(store, units, options, cancellationToken, prefetch);
    }

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
        if (_lines?.Failure is { } failure)
        {
            throw failure; // after the events of the batches before the damaged one were handed out
        }

        if (_next == _units.Count)
        {
            return false;
        }

        ReadUnit unit = _units[_next];
        _lines ??= LineReader.For(unit);
        bool last = true;
        if (unit.Key is null)
        {
            _lines.Add(unit.Memory.Span, events);
        }
        else
        {
            ReadPart part = await _window.NextAsync().ConfigureAwait(false);
            _lines.Add(part.Span, events);
            last = part.IsLast && _lines.Failure is null;
        }

        if (last)
        {
            _lines.Complete(events);
            _lines = null;
            _next++;
        }

        Unit = unit;
        UnitComplete = last;
        return true;
    }

    public ValueTask DisposeAsync() => _window.DisposeAsync();
}
