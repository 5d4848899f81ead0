namespace ObjectLog.Internal;

/// <summary>
/// A batch that has its name and will not change: it is stored under that name, and a retry after any failure
/// (including one where the put landed but reported an error) uses the same name, so it cannot duplicate.
/// </summary>
internal sealed class SealedBatch(string name, long sequence, EventBuffer events)
{
    public string Name { get; } = name;

    /// <summary>Order of sealing within this writer.</summary>
    public long Sequence { get; } = sequence;

    public EventBuffer Events { get; } = events;
}
