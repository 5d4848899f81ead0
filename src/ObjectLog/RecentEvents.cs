namespace ObjectLog;

/// <summary>
/// The newest events of a log and the batches its listing held near them: what
/// <see cref="AppendLog.ReadRecentEventsAsync"/> returns, for a reader that prints the last events and then follows
/// the log with <see cref="AppendLog.TailAsync"/> without printing an event twice (as <c>objlog tail -n N -f</c> does).
/// </summary>
public sealed class RecentEvents
{
    internal RecentEvents(IReadOnlyList<LogEvent> events, IReadOnlyList<string> recentBatches)
    {
        Events = events;
        RecentBatches = recentBatches;
    }

    /// <summary>The events, oldest first, each with its position.</summary>
    public IReadOnlyList<LogEvent> Events { get; }

    /// <summary>
    /// The names of the batches (as <see cref="LogPosition.Batch"/> gives them) the listing held within the window
    /// asked for before its newest batch, in log order, read or not. A tail that resumes after <see cref="Events"/>
    /// looks back over these and returns them again, at least once: a reader skips the events of these batches, and
    /// returns every other batch the tail finds as new.
    /// </summary>
    public IReadOnlyList<string> RecentBatches { get; }
}
