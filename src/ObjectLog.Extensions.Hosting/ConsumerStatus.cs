namespace ObjectLog.Extensions.Hosting;

/// <summary>
/// What one hosted consumer's service has seen, for its health check: the consumer instance it runs now, and counts
/// of what it handled, dead-lettered and failed. Thread-safe; the service writes, the health check reads a snapshot.
/// </summary>
internal sealed class ConsumerStatus(string log, string consumer)
{
    private readonly Lock _gate = new();
    private LogConsumer? _current;
    private long _handled;
    private long _deadLettered;
    private int _deadLetterStreak;
    private int _failuresInARow;
    private Exception? _lastFailure;
    private LogPosition? _lastHandled;
    private string? _deadLetterPrefix;

    public string Log { get; } = log;

    public string Consumer { get; } = consumer;

    /// <summary>The key of the options and of this status: the log's and the consumer's names (a consumer name holds no '/').</summary>
    public static string KeyOf(string log, string consumer) => $"{log}/{consumer}";

    public void Started(LogConsumer consumer, string deadLetterPrefix)
    {
        lock (_gate)
        {
            _current = consumer;
            _deadLetterPrefix = deadLetterPrefix;
        }
    }

    public void Stopped(LogConsumer consumer)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_current, consumer))
            {
                _current = null;
            }
        }
    }

    public void Handled(LogPosition position)
    {
        lock (_gate)
        {
            _handled++;
            _lastHandled = position;
            _deadLetterStreak = 0;
            _failuresInARow = 0;
        }
    }

    public void DeadLettered(LogPosition position)
    {
        lock (_gate)
        {
            _deadLettered++;
            _deadLetterStreak++;
            _lastHandled = position;
            _failuresInARow = 0;
        }
    }

    /// <summary>The consumer failed or was fenced; the service starts another.</summary>
    public void Failed(Exception failure)
    {
        lock (_gate)
        {
            _failuresInARow++;
            _lastFailure = failure;
        }
    }

    public Snapshot Read()
    {
        lock (_gate)
        {
            return new Snapshot(_current, _handled, _deadLettered, _deadLetterStreak, _failuresInARow, _lastFailure, _lastHandled, _deadLetterPrefix);
        }
    }

    /// <param name="Current">The consumer instance running now; <see langword="null"/> before the first start and between two.</param>
    /// <param name="Handled">Events the handler finished.</param>
    /// <param name="DeadLettered">Events stored in the dead-letter log.</param>
    /// <param name="DeadLetterStreak">How many events in a row, up to the last one finished, went to the dead-letter log.</param>
    /// <param name="FailuresInARow">How many consumer instances in a row failed or were fenced with no event finished since.</param>
    /// <param name="LastFailure">Why the last consumer instance that failed stopped.</param>
    /// <param name="LastHandled">The last event finished, handled or dead-lettered.</param>
    /// <param name="DeadLetterPrefix">Where dead letters go, once a consumer instance started.</param>
    public sealed record Snapshot(LogConsumer? Current, long Handled, long DeadLettered, int DeadLetterStreak, int FailuresInARow, Exception? LastFailure, LogPosition? LastHandled, string? DeadLetterPrefix);
}
