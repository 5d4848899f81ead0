using ObjectLog;

namespace Serilog.Sinks.ObjectLog;

/// <summary>
/// Settings of the ObjectLog sink (<see cref="ObjectLogLoggerConfigurationExtensions.ObjectLog"/>). The log is the
/// prefix the store URL names; the minimum level is the sink's <c>restrictedToMinimumLevel</c>, as for any sink.
/// </summary>
public sealed class ObjectLogSinkOptions
{
    private int _flushThreshold = 256;
    private TimeSpan _flushInterval = TimeSpan.FromSeconds(1);
    private long _maxBufferedBytes = 64L * 1024 * 1024;
    private TimeSpan _disposeTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Events per batch (one PUT each); see <see cref="AppendLogOptions.FlushThreshold"/>. Default 256.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int FlushThreshold
    {
        get => _flushThreshold;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _flushThreshold = value;
        }
    }

    /// <summary>How often a quiet log is stored anyway; see <see cref="AppendLogOptions.FlushInterval"/>. Default 1 second.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan FlushInterval
    {
        get => _flushInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _flushInterval = value;
        }
    }

    /// <summary>
    /// The most bytes of events held in memory while the store is slow or down; past it, events are dropped and
    /// counted (<c>objectlog.logger.dropped</c>), never waited for. Default 64 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public long MaxBufferedBytes
    {
        get => _maxBufferedBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxBufferedBytes = value;
        }
    }

    /// <summary>
    /// How long disposing the sink (<c>Log.CloseAndFlush()</c>) waits for the store to take what is buffered, so a
    /// store that never answers cannot hang shutdown; what is still unstored then is reported through
    /// <see cref="Debugging.SelfLog"/>. <see cref="Timeout.InfiniteTimeSpan"/> waits as long as it takes. Default 30
    /// seconds, the host's default shutdown timeout.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is neither positive nor <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public TimeSpan DisposeTimeout
    {
        get => _disposeTimeout;
        set
        {
            if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "DisposeTimeout must be positive or Timeout.InfiniteTimeSpan.");
            }

            _disposeTimeout = value;
        }
    }
}
