namespace ObjectLog.Extensions.Logging;

/// <summary>
/// Settings of the ObjectLog logger provider, bindable from the configuration section <c>Logging:ObjectLog</c>
/// (the minimum level from <c>Logging:ObjectLog:LogLevel</c>, as for any provider).
/// </summary>
public sealed class ObjectLogLoggerOptions
{
    private int _flushThreshold = 256;
    private TimeSpan _flushInterval = TimeSpan.FromSeconds(1);
    private long _maxBufferedBytes = 64L * 1024 * 1024;
    private TimeSpan _disposeTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where the entries go: a store URL naming the log (see <see cref="Storage.ObjectStoreUrl"/>), such as
    /// <c>file://./objectlog-data/app-logs</c> or <c>s3://bucket/app-logs</c>. Required.
    /// </summary>
    public string? StoreUrl { get; set; }

    /// <summary>Whether each entry carries the scopes active when it was logged. Default <see langword="true"/>.</summary>
    public bool IncludeScopes { get; set; } = true;

    /// <summary>Entries per batch (one PUT each); see <see cref="AppendLogOptions.FlushThreshold"/>. Default 256.</summary>
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
    /// The most bytes of entries held in memory while the store is slow or down; past it, entries are dropped and
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
    /// How long disposing the provider waits for the store to take what is buffered, so a store that never answers
    /// cannot hang shutdown; what is still unstored then is reported on stderr (how many entries, and why). In a host,
    /// the host's stop stores what is buffered first, within its shutdown timeout; if that runs out, disposing does
    /// not wait again, so a hung store delays the exit by the shutdown timeout alone. <see cref="Timeout.InfiniteTimeSpan"/>
    /// waits as long as it takes. Default 30 seconds, the host's default shutdown timeout.
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

    /// <summary>The clock for entry timestamps and the flush timer; internal so tests can fix it.</summary>
    internal TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
