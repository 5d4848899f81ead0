namespace ObjectLog.Cli;

/// <summary>
/// The batches a first pass over a log read, as far back as a following tail looks from where the pass ended: a tail
/// resuming at a position returns, at least once, the batches of its look-back window, and <c>tail -f</c> must not
/// print those twice. Batches come in log order; older ones are forgotten, so memory stays bounded by the window.
/// </summary>
internal sealed class RecentBatches(TimeSpan window)
{
    private readonly Queue<(string Batch, DateTimeOffset Time)> _order = new();
    private readonly HashSet<string> _batches = new(StringComparer.Ordinal);

    public void Add(LogPosition position)
    {
        if (!_batches.Add(position.Batch))
        {
            return;
        }

        _order.Enqueue((position.Batch, position.BatchTime));
        while (_order.Peek().Time < position.BatchTime - window)
        {
            _batches.Remove(_order.Dequeue().Batch);
        }
    }

    /// <summary>Whether the pass read the whole batch of <paramref name="position"/> (it reads batches whole).</summary>
    public bool Contains(LogPosition position) => _batches.Contains(position.Batch);
}
