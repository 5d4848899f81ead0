namespace ObjectLog;

/// <summary>What a named consumer's state object says, as <see cref="AppendLog.ListConsumersAsync"/> reads it.</summary>
/// <param name="Name">The consumer's name.</param>
/// <param name="Position">
/// Its committed position: the last event handled, or a time it starts at (<see cref="LogPosition.Before"/>);
/// <see langword="null"/> when it starts from the beginning of the log.
/// </param>
/// <param name="CommittedAt">When its position last moved, by the committing machine's clock; <see langword="null"/> if never.</param>
/// <param name="Owner">The instance holding its lease, or <see langword="null"/> when none does.</param>
/// <param name="LeaseExpires">
/// When the lease runs out unless renewed: the state's store stamp plus the lease duration, on the store's clock;
/// <see langword="null"/> when no instance holds it.
/// </param>
/// <param name="StoredAt">When its state object was last written, on the store's clock.</param>
public sealed record ConsumerInfo(string Name, LogPosition? Position, DateTimeOffset? CommittedAt, string? Owner, DateTimeOffset? LeaseExpires, DateTimeOffset StoredAt)
{
    /// <summary>
    /// How far it is behind the newest stored batch, in that batch's time minus the time of the batch it last handled;
    /// zero when it has handled the newest; <see langword="null"/> when unknown (the log is empty).
    /// </summary>
    public TimeSpan? Lag { get; init; }

    /// <summary>How many events are stored after its position, where they were counted; <see langword="null"/> when not.</summary>
    public long? EventsBehind { get; init; }
}
