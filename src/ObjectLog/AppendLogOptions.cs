using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ObjectLog;

/// <summary>Settings for an <see cref="AppendLog"/>. Every setter validates its value; the defaults suit a journal of small JSON events.</summary>
public sealed class AppendLogOptions
{
    private int _flushThreshold = 32;
    private int _flushThresholdBytes = 1024 * 1024;
    private TimeSpan _flushInterval = TimeSpan.FromSeconds(1);
    private int _maxEventBytes = 1024 * 1024;
    private long _maxBufferedBytes = 64L * 1024 * 1024;
    private TimeProvider _timeProvider = TimeProvider.System;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private TimeSpan _supersededGracePeriod = TimeSpan.Zero;
    private TimeSpan _abandonedMergeGracePeriod = TimeSpan.FromHours(1);
    private TimeSpan _autoCompactionInterval = TimeSpan.FromMinutes(1);
    private TimeSpan _tailPollInterval = TimeSpan.FromSeconds(1);
    private TimeSpan _tailLookBack = TimeSpan.FromMinutes(1);
    private TimeSpan _retention = Timeout.InfiniteTimeSpan;
    private int _maxConcurrentPuts = 8;
    private int _readConcurrency = 64;
    private long _readAheadBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Events per batch: the append that brings the buffer to this count stores the batch (one PUT) before it
    /// completes. Default 32. A value below 1 means 1 (every append is stored before it completes).
    /// </summary>
    public int FlushThreshold
    {
        get => _flushThreshold;
        set => _flushThreshold = Math.Max(1, value);
    }

    /// <summary>
    /// Bytes per batch: a buffer of at least this many bytes is stored like one that reached
    /// <see cref="FlushThreshold"/>. Default 1 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int FlushThresholdBytes
    {
        get => _flushThresholdBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _flushThresholdBytes = value;
        }
    }

    /// <summary>
    /// How often buffered events are stored in the background even if no threshold is reached, so a quiet
    /// journal does not sit in memory. Default 1 second: at most one PUT a second per writer, about 2.6 million
    /// PUTs a month (roughly US$13 on S3 Standard) for a writer that appends without pause.
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns the timer off.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative and not infinite.</exception>
    public TimeSpan FlushInterval
    {
        get => _flushInterval;
        set
        {
            if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The flush interval must be positive or Timeout.InfiniteTimeSpan.");
            }

            _flushInterval = value;
        }
    }

    /// <summary>The largest event accepted, in bytes; a larger one is refused with <see cref="ArgumentException"/>. Default 1 MiB.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxEventBytes
    {
        get => _maxEventBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxEventBytes = value;
        }
    }

    /// <summary>
    /// The most bytes held in memory waiting to be stored (the open batch plus batches queued, in flight, or whose
    /// PUT failed). An <see cref="AppendLog.AppendAsync"/> that would exceed it waits until the oldest batch is
    /// stored (back-pressure); if that fails it throws <see cref="AppendBufferFullException"/> and the event is not
    /// taken. <see cref="AppendLog.TryAppend"/> returns <see langword="false"/> instead. Default 64 MiB.
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
    /// This machine's clock: for batch names (held within 30 seconds of the store's clock, see
    /// <see cref="Storage.IObjectStore.GetTimeAsync"/>), the flush, compaction and tail timers, and the monotonic time that
    /// carries a reading of the store's clock forward. Default <see cref="TimeProvider.System"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// Tests only: the clock to take as the store's, instead of asking the store (<see cref="Storage.IObjectStore.GetTimeAsync"/>),
    /// for tests that move time with a fake clock over a store whose own clock they cannot move.
    /// </summary>
    internal TimeProvider? StoreTimeProvider { get; set; }

    /// <summary>
    /// Where the log reports what happens in the background, under the category <c>ObjectLog.AppendLog</c>: a
    /// batch PUT that failed (a warning with its cause; the batch stays buffered and is retried) and a background
    /// compaction that failed (a warning with its cause; the next tick retries). Default
    /// <see cref="NullLoggerFactory.Instance"/>: nothing is logged, though failures are still counted (see
    /// <see cref="ObjectLogMetrics"/>). Do not route these into a logger that writes to the same log: a failing
    /// store would then feed itself.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public ILoggerFactory LoggerFactory
    {
        get => _loggerFactory;
        set => _loggerFactory = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// How long after a compaction commits the objects it merged are kept before deletion, so a reader that
    /// listed them a moment earlier can still fetch them (readers also re-list if an object vanishes under them).
    /// Kept objects are never read twice; a later compaction deletes them. Default zero: delete at once.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan SupersededGracePeriod
    {
        get => _supersededGracePeriod;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _supersededGracePeriod = value;
        }
    }

    /// <summary>
    /// How old merged data without a manifest must be before compaction deletes it. Such data is left by a
    /// compaction that failed before committing; its commit may still be in flight, so it is never deleted young.
    /// Default 1 hour.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan AbandonedMergeGracePeriod
    {
        get => _abandonedMergeGracePeriod;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _abandonedMergeGracePeriod = value;
        }
    }

    /// <summary>
    /// A compaction to run in the background every <see cref="AutoCompactionInterval"/> while the log is open, or
    /// <see langword="null"/> (the default) for none. Use <see cref="CompactionPolicy.SizeTiered"/>: when no tier
    /// is full it costs one LIST. Any number of writers may auto-compact one prefix at once: compactions are safe
    /// to race, though only one per log instance runs at a time. Failures are counted
    /// (<c>objectlog.compaction.failures</c>) and the next tick tries again; disposing the log stops it.
    /// </summary>
    public CompactionPolicy? AutoCompaction { get; set; }

    /// <summary>How often <see cref="AutoCompaction"/> runs. Default 1 minute.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan AutoCompactionInterval
    {
        get => _autoCompactionInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _autoCompactionInterval = value;
        }
    }

    /// <summary>
    /// How long events are kept, or <see cref="Timeout.InfiniteTimeSpan"/> (the default) to keep them forever. When
    /// set, every <see cref="AutoCompactionInterval"/> (whether or not <see cref="AutoCompaction"/> is set) the log
    /// checks the latest trim record (one small LIST) and, once it is more than a hundredth of the retention behind
    /// <c>now - Retention</c>, by the store's clock (not this machine's), trims there (<see cref="AppendLog.TrimAsync"/>). So batches are removed at most about
    /// 1% of the retention plus one interval late. Each trim leaves a tiny record, collected once a later one is
    /// <see cref="AbandonedMergeGracePeriod"/> old, so with the defaults about one an interval for an hour stay (a long
    /// retention trims less often). Failures are counted like compaction failures and retried at the next tick.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and not infinite.</exception>
    public TimeSpan Retention
    {
        get => _retention;
        set
        {
            if (value != Timeout.InfiniteTimeSpan && value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Retention must be positive, or Timeout.InfiniteTimeSpan to keep events forever.");
            }

            _retention = value;
        }
    }

    /// <summary>How often <see cref="AppendLog.TailAsync"/> lists the log for new batches. Default 1 second: one LIST a second per tailer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan TailPollInterval
    {
        get => _tailPollInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _tailPollInterval = value;
        }
    }

    /// <summary>
    /// How far behind the newest batch it has returned <see cref="AppendLog.TailAsync"/> still looks for batches
    /// that arrive late: a writer whose clock is behind, or whose PUT was slow or retried, stores a batch whose name
    /// sorts before batches already returned. A batch that arrives later than this behind the newest is not
    /// returned by a running tail (a full read still returns it). Default 1 minute.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan TailLookBack
    {
        get => _tailLookBack;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _tailLookBack = value;
        }
    }

    /// <summary>
    /// How many batches one writer may be storing at once. Default 8; 1 stores one batch at a time. Batch names
    /// keep log order whatever order the PUTs land in, and a flush still waits for everything appended before it.
    /// When every slot is busy, sealed batches that were never attempted are joined into one object under the
    /// first one's name (up to <see cref="FlushThresholdBytes"/>), so a slow store gets fewer, larger PUTs.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxConcurrentPuts
    {
        get => _maxConcurrentPuts;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxConcurrentPuts = value;
        }
    }

    /// <summary>
    /// How many GETs a read (or a compaction) keeps in flight at most: objects fetched ahead of the one being
    /// returned, and the parts of a large object read as ranged GETs. Default 64, so reading many small objects
    /// at 20 ms a request costs about one round trip per 64 objects.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int ReadConcurrency
    {
        get => _readConcurrency;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _readConcurrency = value;
        }
    }

    /// <summary>
    /// The most bytes a read holds fetched ahead of the object it is returning, across all GETs in flight.
    /// A read always fetches at least one object or part, however large. Default 64 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public long ReadAheadBytes
    {
        get => _readAheadBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _readAheadBytes = value;
        }
    }

    /// <summary>
    /// Objects and ranged units larger than this are read as parallel ranged GETs of this size, each counting
    /// against <see cref="ReadConcurrency"/> and <see cref="ReadAheadBytes"/>. Internal so tests can make it small;
    /// at most <see cref="Array.MaxLength"/>, since a part is held in one array.
    /// </summary>
    internal int ReadPartBytes { get; set; } = 8 * 1024 * 1024;

    internal AppendLogOptions Clone() => (AppendLogOptions)MemberwiseClone();
}
