namespace ObjectLog.Cli;

/// <summary>
/// The batches a first pass over a log listed, as far back as a following tail looks from where the pass ended: a tail
/// resuming at a position returns, at least once, the batches of its look-back window, and <c>tail -f</c> must not
/// print those again, nor older ones the pass did not print. Batches come in log order; older ones are forgotten, so
/// memory stays bounded by the window.
/// </summary>
internal sealed class RecentBatches(TimeSpan window)
{
    private readonly Queue<(string Batch, DateTimeOffset Time)> _order = new();
    private readonly HashSet<string> _batches = new(StringComparer.Ordinal);

    /// <summary>How far back from the newest batch added it remembers.</summary>
    public TimeSpan Window => window;

    /// <summary>Adds a batch by its name (relative to the log's prefix).</summary>
    public void Add(string batch)
    {
        if (!_batches.Add(batch))
        {
            return;
        }

        DateTimeOffset time = new LogPosition(batch, 0).BatchTime;
        _order.Enqueue((batch, time));
        while (_order.Peek().Time < time - window)
        {
            _batches.Remove(_order.Dequeue().Batch);
        }
    }

    /// <summary>Whether the pass listed the batch of <paramref name="position"/>.</summary>
    public bool Contains(LogPosition position) => _batches.Contains(position.Batch);
}
