using System.Diagnostics;
using System.Runtime.CompilerServices;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>The newest events of a log, in log order, and the batches its listing held near the newest.</summary>
/// <param name="Events">The events, oldest first.</param>
/// <param name="RecentBatches">
/// The names of the batches the plan held within the window asked for before its newest batch, in log order (read or
/// not): what a tail that resumes after these events looks back over and must not return as new.
/// </param>
internal sealed record LastEvents(IReadOnlyList<LogEvent> Events, IReadOnlyList<string> RecentBatches);

/// <summary>
/// Reads the last events of a log: one listing plans the read as a forward read does (each batch read once, from
/// whichever object holds it; trimmed batches hidden), then the plan is fetched from its newest unit backwards, a
/// round of GETs in flight at a time, until enough events are in hand. So its GETs follow the events asked for, not
/// the log's size, and an object older than what is needed is never fetched (a damaged one does not fail it).
/// Read path, backwards: list and plan (<see cref="LogSnapshot"/>) → rounds of units from the end, each fetched,
/// framed and checked by a <see cref="PlanReader"/> → events.
/// </summary>
/// <remarks>
/// A round takes units, newest first, while the events they surely hold fall short of what is still needed (a
/// stored batch holds at least one event; a manifest gives each batch's lines), up to
/// <see cref="AppendLogOptions.ReadConcurrency"/> stored units. A unit a manifest describes is cut to the newest
/// batches that suffice, read by byte range; merged data the plan reads whole without its manifest gets its manifest
/// (one small GET) so that its events know their batches.
/// </remarks>
internal sealed class LastEventsReader(IObjectStore store, string logPrefix, ManifestCache manifests, AppendLogOptions options)
{
    /// <param name="pending">This writer's batches not known to be stored, to include.</param>
    /// <param name="count">How many events, at most.</param>
    /// <param name="recentWindow">How far before the newest batch to name the plan's batches; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<LastEvents> ReadAsync(IReadOnlyList<PendingBatch> pending, int count, TimeSpan? recentWindow, CancellationToken cancellationToken)
    {
        using Activity? activity = Tracing.Start(Tracing.Read, logPrefix);
        try
        {
            // An object listed a moment ago may be superseded by a compaction and collected: then it plans again.
            return await Relisting.RetryWhenVanishedAsync(async _ =>
            {
                // Only the newest units are read, each merged one after its manifest (KnowBatchesAsync): none is fetched for the rest.
                LogSnapshot snapshot = await LogSnapshot.LoadAsync(store, logPrefix, manifests, pending, includeBatch: null, options, cancellationToken, readsEveryUnit: false).ConfigureAwait(false);
                var plan = new Backwards(store, logPrefix, manifests, options, snapshot.Units, cancellationToken);
                IReadOnlyList<LogEvent> events = await plan.ReadAsync(count).ConfigureAwait(false);
                IReadOnlyList<string> recent = recentWindow is { } window ? await plan.RecentBatchesAsync(window).ConfigureAwait(false) : [];
                activity?.SetTag(Tracing.ObjectsTag, plan.ObjectsRead);
                activity?.SetTag(Tracing.EventsTag, (long)events.Count);
                activity?.SetTag(Tracing.BytesTag, events.Sum(e => e.Data.Length + 1L));
                return new LastEvents(events, recent);
            }).ConfigureAwait(false);
        }
        catch (Exception e) when (Tracing.Fail(activity, e))
        {
            throw; // not reached: the filter marks the activity failed and does not catch
        }
    }

    /// <summary>
    /// Streams the stored events of the batches <paramref name="includeBatch"/> accepts, listed after
    /// <paramref name="listAfter"/>, newest first, skipping those at or after <paramref name="before"/>. Rounds of
    /// units are fetched from the plan's end, each round asking for more events and objects than the last (from
    /// <see cref="FirstRoundEvents"/> to <see cref="MaxRoundEvents"/>, from <see cref="FirstRoundObjects"/> to
    /// <see cref="AppendLogOptions.ReadConcurrency"/>), so a reader that stops after a page fetched
    /// about a page, and one that reads on fetches many units at once. An object that vanished under it (compacted and
    /// collected) makes it list again and go on before the last event it returned.
    /// </summary>
    public async IAsyncEnumerable<LogEvent> ReadBackwardAsync(Func<string, bool> includeBatch, string? listAfter, LogPosition? before, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        LogPosition? bound = before; // every event returned is before it
        for (int relists = 0; ; relists++)
        {
            LogPosition? planBound = bound;
            Func<string, bool> include = planBound is { } b ? name => string.CompareOrdinal(name, b.Batch) <= 0 && includeBatch(name) : includeBatch;
            LogSnapshot snapshot;
            try
            {
                snapshot = await LogSnapshot.LoadAsync(store, logPrefix, manifests, [], include, options, cancellationToken, listAfter, readsEveryUnit: false).ConfigureAwait(false);
            }
            catch (Exception e) when (Relisting.MayListAgain(e, relists))
            {
                continue; // a manifest listed a moment ago was collected
            }

            var plan = new Backwards(store, logPrefix, manifests, options, snapshot.Units, cancellationToken);
            long wanted = FirstRoundEvents;
            int objects = FirstRoundObjects;
            bool vanished = false;
            while (!vanished)
            {
                List<List<PlannedEvent>>? round = null;
                try
                {
                    round = await plan.ReadRoundAsync(wanted, objects).ConfigureAwait(false);
                }
                catch (Exception e) when (Relisting.MayListAgain(e, relists))
                {
                    vanished = true;
                }

                if (round is null)
                {
                    if (vanished)
                    {
                        break;
                    }

                    yield break;
                }

                foreach (List<PlannedEvent> unit in round)
                {
                    for (int i = unit.Count - 1; i >= 0; i--)
                    {
                        var position = new LogPosition(unit[i].Batch!, unit[i].Line, trusted: true); // every unit read knows its batches
                        if ((bound is { } limit && position >= limit) || !includeBatch(position.Batch))
                        {
                            continue;
                        }

                        bound = position;
                        yield return new LogEvent(position, unit[i].Data);
                    }
                }

                wanted = Math.Min(wanted * 4, MaxRoundEvents);
                objects = Math.Min(objects * 4, options.ReadConcurrency);
            }
        }
    }

    /// <summary>The events a backward read's first round asks for: about a page, so a page costs a round trip.</summary>
    internal const long FirstRoundEvents = 256;

    /// <summary>
    /// The most objects a backward read's first round fetches. An unread batch object surely holds one event, but
    /// usually many: a first round of up to 256 would fetch an hour of batches for a page the newest one holds.
    /// </summary>
    internal const int FirstRoundObjects = 8;

    /// <summary>The most events a backward read's round asks for, bounding what it holds at once.</summary>
    internal const long MaxRoundEvents = 16_384;

    /// <summary>The unit with the batches from <paramref name="from"/> on of a unit a manifest describes.</summary>
    private static ReadUnit Slice(ReadUnit unit, int from)
    {
        if (from == 0)
        {
            return unit;
        }

        return ReadUnit.OfBatches(unit.Key!, [.. unit.Batches!.Skip(from)], unit.ObjectSize, unit.Crc);
    }

    /// <summary>How many events <paramref name="unit"/> surely holds before it is read.</summary>
    private static long SureEvents(ReadUnit unit)
        => unit.Key is null ? unit.Memory.Span.Count((byte)'\n')
            : unit.Batches is { } batches ? batches.Sum(b => (long)b.Lines)
            : 1; // a stored batch is never empty (an empty one is corrupt)

    /// <summary>One plan, taken apart from its end.</summary>
    private sealed class Backwards(IObjectStore store, string logPrefix, ManifestCache manifests, AppendLogOptions options, List<ReadUnit> units, CancellationToken cancellationToken)
    {
        private readonly HashSet<string> _objectsRead = new(StringComparer.Ordinal);
        private int _next = units.Count; // the units from here on are taken
        private ReadUnit? _rest; // the older batches of a unit cut by a streaming read, taken next

        /// <summary>How many stored objects the read fetched from (its manifests not counted).</summary>
        public int ObjectsRead => _objectsRead.Count;

        public async Task<IReadOnlyList<LogEvent>> ReadAsync(int count)
        {
            var newestFirst = new List<List<PlannedEvent>>(); // a unit's events each
            long have = 0;
            var round = new List<ReadUnit>();
            while (have < count)
            {
                round.Clear();
                long sure = 0;
                int stored = 0;
                while (have + sure < count && stored < options.ReadConcurrency && await TakeOlderAsync(count - have - sure).ConfigureAwait(false) is { } unit)
                {
                    round.Add(unit);
                    sure += SureEvents(unit);
                    if (unit.Key is { } key)
                    {
                        _objectsRead.Add(key);
                    }
                    stored += unit.Key is null ? 0 : 1;
                }

                if (round.Count == 0)
                {
                    break; // the log holds fewer
                }

                // Newest first, so an older unit's failure surfaces only if its events are needed.
                var plan = new PlanReader(store, round, options, cancellationToken);
                await using (plan.ConfigureAwait(false))
                {
                    for (int i = 0; i < round.Count && have < count; i++)
                    {
                        var events = new List<PlannedEvent>();
                        do
                        {
                            await plan.ReadNextAsync(events).ConfigureAwait(false);
                        }
                        while (!plan.UnitComplete);
                        newestFirst.Add(events);
                        have += events.Count;
                    }
                }
            }

            int take = (int)Math.Min(count, have);
            var last = new List<LogEvent>(take);
            long skip = have - take;
            for (int u = newestFirst.Count - 1; u >= 0; u--)
            {
                foreach (PlannedEvent e in newestFirst[u])
                {
                    if (skip > 0)
                    {
                        skip--;
                        continue;
                    }

                    last.Add(new LogEvent(new LogPosition(e.Batch!, e.Line, trusted: true), e.Data)); // every unit read knows its batches
                }
            }

            return last;
        }

        /// <summary>
        /// The next older units' events, newest unit first (each unit's events in log order), taking units while the
        /// events they surely hold fall short of <paramref name="wanted"/>, up to <paramref name="objects"/> units; a unit a manifest describes is cut, and its older batches wait for a later round.
        /// <see langword="null"/> when the plan is exhausted.
        /// </summary>
        public async Task<List<List<PlannedEvent>>?> ReadRoundAsync(long wanted, int objects)
        {
            var round = new List<ReadUnit>();
            long sure = 0;
            while (sure < wanted && round.Count < objects && await TakeOlderKeepingRestAsync(wanted - sure).ConfigureAwait(false) is { } unit)
            {
                round.Add(unit);
                sure += SureEvents(unit);
            }

            if (round.Count == 0)
            {
                return null;
            }

            var units = new List<List<PlannedEvent>>(round.Count);
            var plan = new PlanReader(store, round, options, cancellationToken);
            await using (plan.ConfigureAwait(false))
            {
                for (int i = 0; i < round.Count; i++)
                {
                    var events = new List<PlannedEvent>();
                    do
                    {
                        await plan.ReadNextAsync(events).ConfigureAwait(false);
                    }
                    while (!plan.UnitComplete);
                    units.Add(events);
                }
            }

            return units;
        }

        /// <summary>
        /// As <see cref="TakeOlderAsync"/>, but the batches cut off a unit are not dropped: they are the next unit to
        /// take, so a reader that goes on reads them.
        /// </summary>
        private async ValueTask<ReadUnit?> TakeOlderKeepingRestAsync(long wanted)
        {
            ReadUnit? unit = _rest;
            _rest = null;
            if (unit is null)
            {
                if (_next == 0)
                {
                    return null;
                }

                unit = await KnowBatchesAsync(units[--_next]).ConfigureAwait(false);
            }

            if (unit.Batches is not { } batches)
            {
                return unit;
            }

            int from = batches.Count;
            for (long lines = 0; from > 0 && lines < wanted; from--)
            {
                lines += batches[from - 1].Lines;
            }

            if (from > 0)
            {
                _rest = ReadUnit.OfBatches(unit.Key!, [.. batches.Take(from)], unit.ObjectSize, unit.Crc);
            }

            return Slice(unit, from);
        }

        /// <summary>The names of the plan's batches from <paramref name="window"/> before its newest batch on, in log order.</summary>
        public async Task<IReadOnlyList<string>> RecentBatchesAsync(TimeSpan window)
        {
            if (units.Count == 0)
            {
                return [];
            }

            string floor = LogObjectName.FloorAt(LogObjectName.TimeOf(units[^1].LastBatch) - window);
            var names = new List<string>();
            for (int i = units.Count - 1; i >= 0 && string.CompareOrdinal(units[i].LastBatch, floor) >= 0; i--)
            {
                ReadUnit unit = await KnowBatchesAsync(units[i]).ConfigureAwait(false);
                if (unit.Batches is { } batches)
                {
                    names.AddRange(batches.Select(b => b.Name).Reverse());
                }
                else
                {
                    names.Add(unit.FirstBatch);
                }
            }

            names.Reverse();
            return names;
        }

        /// <summary>
        /// The next older unit to read, cut to the newest batches that hold <paramref name="wanted"/> events where a
        /// manifest says how many each holds; <see langword="null"/> when none is left. The batches cut off are never
        /// needed: a manifest's line counts are exact (reading checks them), so the cut part completes the read.
        /// </summary>
        private async ValueTask<ReadUnit?> TakeOlderAsync(long wanted)
        {
            if (_next == 0)
            {
                return null;
            }

            ReadUnit unit = await KnowBatchesAsync(units[--_next]).ConfigureAwait(false);
            if (unit.Batches is not { } batches)
            {
                return unit;
            }

            int from = batches.Count;
            for (long lines = 0; from > 0 && lines < wanted; from--)
            {
                lines += batches[from - 1].Lines;
            }

            return Slice(unit, from);
        }

        /// <summary>
        /// <paramref name="unit"/> with its batches known: merged data the plan reads whole without its manifest
        /// (its range overlaps nothing, and no trim reaches it) holds exactly the batches its manifest names.
        /// </summary>
        private async ValueTask<ReadUnit> KnowBatchesAsync(ReadUnit unit)
        {
            if (unit.Batches is not null || unit.FirstBatch == unit.LastBatch)
            {
                return unit;
            }

            string dataName = unit.Key![logPrefix.Length..];
            LogObjectName.TryParse(dataName, out LogObjectName name); // the plan's keys are the log's names
            Manifest manifest = await manifests.GetAsync(logPrefix + LogObjectName.ManifestFor(dataName), name with { Kind = LogObjectKind.Manifest }, cancellationToken).ConfigureAwait(false);
            return new ReadUnit
            {
                FirstBatch = unit.FirstBatch,
                LastBatch = unit.LastBatch,
                Key = unit.Key,
                Batches = manifest.Batches,
                Size = unit.Size,
                ObjectSize = unit.ObjectSize,
                Crc = unit.Crc,
            };
        }
    }
}
