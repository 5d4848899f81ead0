using Microsoft.Extensions.Logging;

namespace ObjectLog;

/// <summary>
/// Settings of a <see cref="LogJournal"/>, and so of the <c>ObjectLog.Extensions.Logging</c> provider and the
/// <c>Serilog.Sinks.ObjectLog</c> sink, whose options derive from this class. Each setting is validated in its setter
/// by the same rule, with the same message, as the <see cref="AppendLogOptions"/> property of that name.
/// </summary>
/// <remarks>
/// The defaults suit a logger, where nobody waits for a batch to be stored: batches of 256 entries (a busy logger
/// makes an eighth of the PUTs <see cref="AppendLogOptions.FlushThreshold"/>'s 32 would, and a batch of typical entries
/// stays well under <see cref="AppendLogOptions.FlushThresholdBytes"/>), a quiet logger stored every second, 64 MiB of
/// entries held while the store is slow or down, and 30 seconds for disposing, the host's default shutdown timeout.
/// </remarks>
public class LogJournalOptions
{
    // The log settings live in an AppendLogOptions, so they are validated by its setters: one rule, one message.
    private readonly AppendLogOptions _log = new()
    {
        FlushThreshold = 256,
        FlushInterval = TimeSpan.FromSeconds(1),
        MaxBufferedBytes = 64L * 1024 * 1024,
    };

    private TimeSpan _disposeTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Entries per batch (one PUT each); see <see cref="AppendLogOptions.FlushThreshold"/>. Default 256. A value
    /// below 1 means 1, as there: every entry is its own batch.
    /// </summary>
    public int FlushThreshold { get => _log.FlushThreshold; set => _log.FlushThreshold = value; }

    /// <summary>
    /// How often a quiet journal is stored anyway; see <see cref="AppendLogOptions.FlushInterval"/>. Default 1 second:
    /// an entry waits at most about that long in memory. <see cref="Timeout.InfiniteTimeSpan"/> turns the timer off,
    /// so entries wait for a full batch, a flush or disposal.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative and not infinite.</exception>
    public TimeSpan FlushInterval { get => _log.FlushInterval; set => _log.FlushInterval = value; }

    /// <summary>
    /// The most bytes of entries held in memory while the store is slow or down; past it, entries are dropped and
    /// counted (<c>objectlog.logger.dropped</c>), never waited for. See <see cref="AppendLogOptions.MaxBufferedBytes"/>.
    /// Default 64 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public long MaxBufferedBytes { get => _log.MaxBufferedBytes; set => _log.MaxBufferedBytes = value; }

    /// <summary>
    /// How the journal's batches are encoded; see <see cref="AppendLogOptions.Compression"/>. Default
    /// <see cref="LogCompression.Zstd"/>, as there: log entries repeat their field names, levels and categories, so
    /// they shrink well, and readers decode any mix, so changing it later strands nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a <see cref="LogCompression"/> member.</exception>
    public LogCompression Compression { get => _log.Compression; set => _log.Compression = value; }

    /// <summary>
    /// How long disposing waits for the store to take what is buffered, so a store that never answers cannot hang
    /// shutdown; what is still unstored then is reported (how many entries, and why). Not at all if a
    /// <see cref="LogJournal.FlushAsync"/> already ran out of time. <see cref="Timeout.InfiniteTimeSpan"/> waits as
    /// long as it takes. Default 30 seconds, the host's default shutdown timeout.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative and not infinite.</exception>
    public TimeSpan DisposeTimeout
    {
        get => _disposeTimeout;
        set => _disposeTimeout = CheckDisposeTimeout(value, nameof(value));
    }

    /// <summary>The settings of the journal's log: a copy, so later changes to these options do not reach it.</summary>
    internal AppendLogOptions ToAppendLogOptions(ILoggerFactory? loggerFactory)
    {
        AppendLogOptions options = _log.Clone();
        if (loggerFactory is not null)
        {
            options.LoggerFactory = loggerFactory;
        }

        return options;
    }

    /// <summary>The rule for a dispose timeout, wherever one is given: that of <see cref="AppendLogOptions.FlushInterval"/>.</summary>
    internal static TimeSpan CheckDisposeTimeout(TimeSpan value, string paramName)
        => value > TimeSpan.Zero || value == Timeout.InfiniteTimeSpan
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, "The dispose timeout must be positive or Timeout.InfiniteTimeSpan.");
}
