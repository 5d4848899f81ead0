namespace ObjectLog;

/// <summary>Settings for a <see cref="LogConsumer"/>. Every setter validates its value.</summary>
public sealed class LogConsumerOptions
{
    /// <summary>Where the consumer starts when it has no checkpoint yet. Default <see cref="LogConsumerStart.Beginning"/>.</summary>
    public LogConsumerStart Start { get; set => field = value ?? throw new ArgumentNullException(nameof(value)); } = LogConsumerStart.Beginning;

    /// <summary>
    /// How long the owner may go without renewing its lease before a waiting instance takes over. Default 30 seconds.
    /// The owner renews every third of it; a waiting instance takes over when it has seen the consumer's state
    /// unchanged for this long on its own clock.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan LeaseDuration { get; set => field = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A lease lasts a positive time."); } = TimeSpan.FromSeconds(30);

    /// <summary>Commit automatically after this many events were handled. Default 1,000; 0 turns the count off.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int CheckpointEveryEvents { get; set => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A count is 0 or more."); } = 1000;

    /// <summary>
    /// Commit automatically when events were handled and this long has passed since the last commit: when the next
    /// event is asked for, or, while the caller waits for events, at the next lease renewal (every third of
    /// <see cref="LeaseDuration"/>). Default 5 seconds; <see cref="Timeout.InfiniteTimeSpan"/> turns the timer off.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and not infinite.</exception>
    public TimeSpan CheckpointInterval { get; set => field = value > TimeSpan.Zero || value == Timeout.InfiniteTimeSpan ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The interval must be positive or Timeout.InfiniteTimeSpan."); } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How this instance names itself in the lease. Default <see langword="null"/>: the machine name, the process id
    /// and a random suffix, unique to this consumer object. An instance given the id its consumer's lease already
    /// names (a restart of the same owner) takes the lease at once instead of waiting for it to expire.
    /// </summary>
    public string? OwnerId { get; set; }

    /// <summary>How often a waiting instance reads the lease. Default <see langword="null"/>: a sixth of <see cref="LeaseDuration"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan? StandbyPollInterval { get; set => field = value is null || value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The interval must be positive."); }

    /// <summary>
    /// The longest wait between two listings while the log is idle: an idle consumer makes at most one LIST per this.
    /// Default <see langword="null"/>: the log's <see cref="AppendLogOptions.TailPollInterval"/> (1 second). While events
    /// flow it lists every <see cref="AppendLogOptions.TailActivePollInterval"/> (50 ms), as a tail does.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan? PollInterval { get; set => field = value is null || value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The interval must be positive."); }
}
