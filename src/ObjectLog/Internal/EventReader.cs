using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ObjectLog.Internal;

/// <summary>
/// An <see cref="AppendLog"/>'s reads: the whole log (stored, then this writer's unstored batches), the stored
/// events after a position or in a time range, the last events, and tails. Plans are executed by
/// <see cref="LogReader"/> and <see cref="LastEventsReader"/>; this class decides what to ask them for.
/// </summary>
internal sealed class EventReader(WritePipeline writer, LogReader reader, LastEventsReader lastReader, StoreClock clock, AppendLogOptions options)
{
    /// <summary>See <see cref="AppendLog.ReadAllAsync"/>.</summary>
    public async Task<IReadOnlyList<byte[]>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var events = new List<byte[]>();
        await foreach (List<PlannedEvent> block in ReadBlocksAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (PlannedEvent e in CollectionsMarshal.AsSpan(block))
            {
                events.Add(e.Data);
            }
        }

        return events;
    }

    /// <summary>See <see cref="AppendLog.ReadAsync"/>.</summary>
    public IAsyncEnumerable<byte[]> ReadAsync(CancellationToken cancellationToken)
        => new BlockEvents<byte[]>(ReadBlocksAsync(cancellationToken), static (in PlannedEvent e, out byte[] data) =>
        {
            data = e.Data;
            return true;
        });

    /// <summary>See <see cref="AppendLog.ReadLastAsync(int, CancellationToken)"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public async Task<IReadOnlyList<LogEvent>> ReadLastAsync(int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return count == 0 ? [] : (await ReadLastAsync(count, recentWindow: null, cancellationToken).ConfigureAwait(false)).Events;
    }

    /// <summary>The last <paramref name="count"/> events, and the names of the batches the listing held from <paramref name="recentWindow"/> before its newest on.</summary>
    public async Task<LastEvents> ReadLastAsync(int count, TimeSpan? recentWindow, CancellationToken cancellationToken)
    {
        List<PendingBatch> pending = await writer.CopyUnstoredAsync(cancellationToken).ConfigureAwait(false); // before listing, as ReadBlocksAsync does
        return await lastReader.ReadAsync(pending, count, recentWindow, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>See <see cref="AppendLog.ReadEventsAsync(LogPosition?, CancellationToken)"/>.</summary>
    public IAsyncEnumerable<LogEvent> ReadEventsAsync(LogPosition? after, CancellationToken cancellationToken)
        => new BlockEvents<LogEvent>(ReadBlocksAfterAsync(after, cancellationToken), After(after));

    /// <summary>The stored blocks from <paramref name="after"/>'s batch on (or from the resume floor, for a position named too far ahead).</summary>
    private async IAsyncEnumerable<List<PlannedEvent>> ReadBlocksAfterAsync(LogPosition? after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? from = after?.Batch;
        string? listAfter = after is { } a ? LogObjectName.FloorAt(a.BatchTime) : null;
        if (after is { IsTime: false } checkpoint && checkpoint.BatchTime > await clock.NowAsync(cancellationToken).ConfigureAwait(false) + StoreClock.NameBound)
        {
            from = listAfter = await ResumeFloorAsync(checkpoint, cancellationToken).ConfigureAwait(false);
        }

        Func<string, bool> include = from is null ? static _ => true : name => string.CompareOrdinal(name, from) >= 0;
        await foreach (List<PlannedEvent> block in ReadStoredAsync(include, listAfter, cancellationToken).ConfigureAwait(false))
        {
            yield return block;
        }
    }

    /// <summary>
    /// Where a read resuming at a checkpoint starts: <see cref="AppendLogOptions.TailLookBack"/> before the position's
    /// batch time, or before the store's clock (plus the 30 seconds a writer's names may run ahead of it) for a
    /// position named further ahead than that, so a batch named far in the future cannot hide what is stored after it.
    /// </summary>
    private async ValueTask<string> ResumeFloorAsync(LogPosition after, CancellationToken cancellationToken)
    {
        DateTimeOffset ceiling = await clock.NowAsync(cancellationToken).ConfigureAwait(false) + StoreClock.NameBound;
        return LogObjectName.FloorAt(Min(after.BatchTime, ceiling) - options.TailLookBack);
    }

    /// <summary>See <see cref="AppendLog.ReadEventsAsync(DateTimeOffset, DateTimeOffset?, CancellationToken)"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="until"/> is before <paramref name="from"/>.</exception>
    public IAsyncEnumerable<LogEvent> ReadEventsAsync(DateTimeOffset from, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        if (until < from)
        {
            throw new ArgumentException($"The range ends ({until:O}) before it starts ({from:O}).", nameof(until));
        }

        string floor = LogObjectName.FloorAt(from);
        string? end = until is { } u ? LogObjectName.FloorAt(u) : null;
        IAsyncEnumerable<List<PlannedEvent>> blocks = ReadStoredAsync(
            name => string.CompareOrdinal(name, floor) >= 0 && (end is null || string.CompareOrdinal(name, end) < 0),
            floor,
            cancellationToken);
        return new BlockEvents<LogEvent>(blocks, After(null));
    }

    /// <summary>See <see cref="AppendLog.ReadEventsBackwardAsync"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="until"/> is before <paramref name="from"/>.</exception>
    public IAsyncEnumerable<LogEvent> ReadEventsBackwardAsync(DateTimeOffset from, DateTimeOffset? until, LogPosition? before, CancellationToken cancellationToken)
    {
        if (until < from)
        {
            throw new ArgumentException($"The range ends ({until:O}) before it starts ({from:O}).", nameof(until));
        }

        string floor = LogObjectName.FloorAt(from);
        string? end = until is { } u ? LogObjectName.FloorAt(u) : null;
        return lastReader.ReadBackwardAsync(
            name => string.CompareOrdinal(name, floor) >= 0 && (end is null || string.CompareOrdinal(name, end) < 0),
            floor,
            before is { Batch: not null } b ? b : null,
            cancellationToken);
    }

    /// <summary>See <see cref="AppendLog.TailAsync"/>.</summary>
    public IAsyncEnumerable<LogEvent> TailAsync(LogPosition? after, CancellationToken cancellationToken)
        => TailAsync(after, handled: null, newestHandled: null, idlePoll: null, cancellationToken);

    /// <summary>As <see cref="AppendLog.TailAsync"/>, waiting at most <paramref name="idlePoll"/> between listings when idle (<see langword="null"/>: the log's setting).</summary>
    public IAsyncEnumerable<LogEvent> TailAsync(LogPosition? after, TimeSpan? idlePoll, CancellationToken cancellationToken)
        => TailAsync(after, handled: null, newestHandled: null, idlePoll, cancellationToken);

    /// <summary>
    /// A tail that resumes exactly where a consumer left off: after <paramref name="after"/> (the last event handled),
    /// skipping the batches in <paramref name="handled"/>, and looking back from <paramref name="newestHandled"/> (the
    /// newest batch handled) rather than from <paramref name="after"/>'s, which can be older: a late batch handled last.
    /// Every batch before that look-back counts as handled, as it did for the tail that delivered them.
    /// </summary>
    public IAsyncEnumerable<LogEvent> ResumeAsync(LogPosition after, HandledBatches handled, string newestHandled, TimeSpan? idlePoll, CancellationToken cancellationToken)
        => TailAsync(after, handled, newestHandled, idlePoll, cancellationToken);

    private async IAsyncEnumerable<LogEvent> TailAsync(LogPosition? after, HandledBatches? handled, string? newestHandled, TimeSpan? idlePoll, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var returned = new HashSet<string>(StringComparer.Ordinal); // batches returned whole, at or after the floor
        DateTimeOffset storeNow = await clock.NowAsync(cancellationToken).ConfigureAwait(false); // also calibrates the ceiling below
        string? newest = null;
        string? checkpoint = null; // no batch before it is returned
        string? checkpointFloor = null;
        bool firstPoll = true;
        if (newestHandled is not null)
        {
            newest = newestHandled; // the floor below follows it; handled batches at or after the floor are skipped by name
        }
        else if (after is { IsTime: true } time)
        {
            (newest, checkpoint, checkpointFloor) = (time.Batch, time.Batch, LogObjectName.FloorAt(time.BatchTime));
        }
        else if (after is { } start)
        {
            // Resuming, at least once: see ResumeFloorAsync and the parameter's remarks.
            checkpoint = checkpointFloor = await ResumeFloorAsync(start, cancellationToken).ConfigureAwait(false);
            newest = start.BatchTime <= storeNow + StoreClock.NameBound ? start.Batch : null;
        }

        using var pacer = new TailPacer(options, writer.ListenForArrivals(), idlePoll);
        while (true)
        {
            // The floor follows the newest batch returned, but never from further ahead than writers name batches:
            // one batch named far in the future must not lift it above the batches everyone else is storing now.
            clock.RefreshIfStale();
            DateTimeOffset? ceiling = clock.Estimate() + StoreClock.NameBound;
            string? floor = newest is null ? null : LogObjectName.FloorAt(Min(LogObjectName.TimeOf(newest), ceiling) - options.TailLookBack);
            if (!firstPoll && ceiling is { } c)
            {
                // After the first poll only arrivals are looked for, and a batch stored now is named within NameBound
                // of the store's clock: nothing named more than the look-back before that is waited for, however old
                // the newest batch returned is (so an idle log costs what arrives, not a minute of old keys a poll).
                string arrivals = LogObjectName.FloorAt(c - StoreClock.NameBound - StoreClock.NameBound - options.TailLookBack);
                if (floor is null || string.CompareOrdinal(arrivals, floor) > 0)
                {
                    floor = arrivals;
                }
            }

            firstPoll = false;
            bool Include(string name)
                => (floor is null || string.CompareOrdinal(name, floor) >= 0)
                && (checkpoint is null || string.CompareOrdinal(name, checkpoint) >= 0)
                && !returned.Contains(name)
                && handled?.Contains(name) != true;

            string? listAfter = string.CompareOrdinal(floor, checkpointFloor) >= 0 ? floor : checkpointFloor; // the later one; null sorts first
            string? current = null;
            await foreach (List<PlannedEvent> block in reader.ReadAsync([], Include, listAfter, cancellationToken).ConfigureAwait(false))
            {
                foreach (PlannedEvent e in block)
                {
                    string batch = e.Batch!; // a filtered read knows every event's batch
                    if (current != batch)
                    {
                        if (current is not null)
                        {
                            returned.Add(current);
                        }

                        current = batch;
                        if (newest is null || string.CompareOrdinal(batch, newest) > 0)
                        {
                            newest = batch;
                        }
                    }

                    var position = new LogPosition(batch, e.Line, trusted: true);
                    if (after is not { } a || batch != a.Batch || position > a)
                    {
                        yield return new LogEvent(position, e.Data);
                    }
                }
            }

            if (current is not null)
            {
                returned.Add(current);
            }

            if (floor is not null)
            {
                returned.RemoveWhere(name => string.CompareOrdinal(name, floor) < 0);
            }

            await pacer.WaitAsync(polledEvents: current is not null, cancellationToken).ConfigureAwait(false);
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset? b) => b is { } v && v < a ? v : a;

    /// <summary>The stored blocks of the batches <paramref name="include"/> accepts, listed after <paramref name="listAfter"/>; each enumeration starts a read of its own.</summary>
    private async IAsyncEnumerable<List<PlannedEvent>> ReadStoredAsync(Func<string, bool> include, string? listAfter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (List<PlannedEvent> block in reader.ReadAsync([], include, listAfter, cancellationToken).ConfigureAwait(false))
        {
            yield return block;
        }
    }

    /// <summary>Each event with its position, skipping those at or before <paramref name="after"/>. A filtered read knows every event's batch.</summary>
    private static EventSelector<LogEvent> After(LogPosition? after)
        => (in PlannedEvent e, out LogEvent item) =>
        {
            var position = new LogPosition(e.Batch!, e.Line, trusted: true);
            item = new LogEvent(position, e.Data);
            return after is not { } a || e.Batch != a.Batch || position > a;
        };

    /// <summary>The stored events, then this writer's buffer, a block at a time; a block is valid until the next step.</summary>
    public async IAsyncEnumerable<List<PlannedEvent>> ReadBlocksAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Copy memory before listing: a batch stored in between is then seen in the listing, the copy, or both
        // (deduplicated by name), never in neither. The open batch already has its name, so it is deduplicated too.
        List<PendingBatch> pending = await writer.CopyUnstoredAsync(cancellationToken).ConfigureAwait(false);
        await foreach (List<PlannedEvent> block in reader.ReadAsync(pending, includeBatch: null, listAfter: null, cancellationToken).ConfigureAwait(false))
        {
            yield return block;
        }
    }
}
