namespace ObjectLog.Cli.Ui;

/// <summary>
/// A page of the <c>events</c> endpoint: the events that pass the filter, newest or oldest first, and where the next
/// page starts. A page reads only what it needs: newest first it fetches from the range's end backwards
/// (<see cref="AppendLog.ReadEventsBackwardAsync"/>), oldest first from the range's start or the position, and it stops
/// at <c>limit</c> events or after <see cref="MaxScanned"/> events looked at, so a filter that matches little in a
/// long range answers in bounded time (with a <see cref="Next"/> to go on from) rather than read the whole log.
/// </summary>
/// <param name="Events">The events, in the order asked for.</param>
/// <param name="Next">The position to pass as <c>after</c> for the next page; <see langword="null"/> when the range has no more.</param>
/// <param name="Scanned">How many events were looked at.</param>
internal sealed record EventPage(IReadOnlyList<EventView> Events, string? Next, long Scanned)
{
    /// <summary>The most events one page looks at before it answers with what it has.</summary>
    internal const int MaxScanned = 200_000;

    /// <param name="log">The log.</param>
    /// <param name="range">The batch times.</param>
    /// <param name="filter">Which events.</param>
    /// <param name="newestFirst">Newest first (and <paramref name="after"/> means older than it), or oldest first.</param>
    /// <param name="after">Where the previous page ended, or <see langword="null"/> for the first page.</param>
    /// <param name="limit">The most events to return.</param>
    /// <param name="cancellationToken">Cancels the read (the client went away).</param>
    public static async Task<EventPage> ReadAsync(AppendLog log, TimeRange range, EventFilter filter, bool newestFirst, LogPosition? after, int limit, CancellationToken cancellationToken)
    {
        DateTimeOffset from = range.From ?? DateTimeOffset.UnixEpoch;
        IAsyncEnumerable<LogEvent> events = newestFirst ? log.ReadEventsBackwardAsync(from, range.Until, after, cancellationToken)
            : after is { } a ? log.ReadEventsAsync(a, cancellationToken)
            : log.ReadEventsAsync(from, range.Until, cancellationToken);
        var page = new List<EventView>(Math.Min(limit, 1000));
        long scanned = 0;
        LogPosition? last = null;
        await foreach (LogEvent e in events.ConfigureAwait(false))
        {
            if (!newestFirst && range.Until is { } until && e.Position.BatchTime >= until)
            {
                break; // read from a position: the range ends here
            }

            scanned++;
            last = e.Position;
            string? level = EventLevel.Of(e.Data);
            if (filter.Matches(e.Data, level))
            {
                page.Add(EventView.Of(e, level));
                if (page.Count == limit)
                {
                    return new EventPage(page, e.Position.ToString(), scanned);
                }
            }

            if (scanned >= MaxScanned)
            {
                return new EventPage(page, last.ToString(), scanned);
            }
        }

        return new EventPage(page, null, scanned);
    }
}
