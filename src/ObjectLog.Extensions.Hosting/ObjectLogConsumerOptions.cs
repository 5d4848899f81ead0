using ObjectLog.Storage;

namespace ObjectLog.Extensions.Hosting;

/// <summary>Settings for a hosted named consumer (see <c>AddObjectLogConsumer</c>). Every setter validates its value.</summary>
public sealed class ObjectLogConsumerOptions
{
    /// <summary>The consumer's own settings: where it starts, its lease, its checkpoint policy and its polling.</summary>
    public LogConsumerOptions Consumer { get; } = new();

    /// <summary>
    /// How many times the handler is called for one event before the event goes to the dead-letter log. Default 5;
    /// 1 dead-letters an event at its first failure.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxAttempts { get; set => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "An event is tried at least once."); } = 5;

    /// <summary>
    /// The wait after a failed attempt, doubled after each further failure up to <see cref="MaxRetryDelay"/>; also the
    /// first wait before the consumer is started again after it failed. Default 100 ms. The log's
    /// <see cref="AppendLogOptions.TimeProvider"/> measures it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan RetryDelay { get; set => field = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A delay is zero or positive."); } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between two attempts, or between two starts of a failing consumer. Default 5 seconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan MaxRetryDelay { get; set => field = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A delay is zero or positive."); } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The key prefix, in the log's store, of the dead-letter log. Default <see langword="null"/>:
    /// <c>{log prefix}/_dead/{consumer}</c>, nested under the log's prefix, where the log's readers, compaction and
    /// retention do not look (every name of a log sits directly under its prefix).
    /// </summary>
    /// <exception cref="ArgumentException">The value cannot hold a log (see <see cref="ObjectKey.ValidateLogPrefix"/>).</exception>
    public string? DeadLetterPrefix
    {
        get;
        set
        {
            if (value is not null)
            {
                ObjectKey.ValidateLogPrefix(value, nameof(value));
            }

            field = value;
        }
    }
}
