using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ObjectLog;

/// <summary>Settings for an <see cref="AppendLog"/>. Every setter validates its value; the defaults suit a journal of small JSON events.</summary>
public sealed class AppendLogOptions
{

    /// <summary>
    /// Events per batch: the append that brings the buffer to this count stores the batch (one PUT) before it
    /// completes. Default 32. A value below 1 means 1 (every append is stored before it completes).
    /// </summary>
    public int FlushThreshold { get; set => field = Math.Max(1, value); } = 32;

    /// <summary>
    /// Bytes per batch: a buffer of at least this many bytes is stored like one that reached
    /// <see cref="FlushThreshold"/>. Default 1 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int FlushThresholdBytes { get; set => field = AtLeast(value, 1); } = 1024 * 1024;

    /// <summary>
    /// How often buffered events are stored in the background even if no threshold is reached, so a quiet
    /// journal does not sit in memory. Default 1 second: at most one PUT a second per writer, about 2.6 million
    /// PUTs a month (roughly US$13 on S3 Standard) for a writer that appends without pause.
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns the timer off.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative and not infinite.</exception>
    public TimeSpan FlushInterval
    {
        get;
        set
        {
            if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The flush interval must be positive or Timeout.InfiniteTimeSpan.");
            }

            field = value;
        }
    } = TimeSpan.FromSeconds(1);

    /// <summary>The largest event accepted, in bytes; a larger one is refused with <see cref="ArgumentException"/>. Default 1 MiB.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxEventBytes { get; set => field = AtLeast(value, 1); } = 1024 * 1024;

    /// <summary>
    /// The most bytes held in memory waiting to be stored (the open batch plus batches queued, in flight, or whose
    /// PUT failed). An <see cref="AppendLog.AppendAsync"/> that would exceed it waits until the oldest batch is
    /// stored (back-pressure); if that fails it throws <see cref="AppendBufferFullException"/> and the event is not
    /// taken. <see cref="AppendLog.TryAppend"/> returns <see langword="false"/> instead. Default 64 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public long MaxBufferedBytes { get; set => field = AtLeast(value, 1); } = 64L * 1024 * 1024;

    /// <summary>
    /// This machine's clock: for batch names (held within 30 seconds of the store's clock, see
    /// <see cref="Storage.IObjectStore.GetTimeAsync"/>), the flush, compaction and tail timers, and the monotonic time that
    /// carries a reading of the store's clock forward. Default <see cref="TimeProvider.System"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TimeProvider TimeProvider { get; set => field = value ?? throw new ArgumentNullException(nameof(value)); } = TimeProvider.System;

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
    public ILoggerFactory LoggerFactory { get; set => field = value ?? throw new ArgumentNullException(nameof(value)); } = NullLoggerFactory.Instance;

    /// <summary>
    /// How long after a compaction commits the objects it merged are kept before deletion, so a reader that
    /// listed them a moment earlier can still fetch them (readers also re-list if an object vanishes under them).
    /// Kept objects are never read twice; a later compaction deletes them. Default zero: delete at once.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan SupersededGracePeriod { get; set => field = AtLeast(value, TimeSpan.Zero); } = TimeSpan.Zero;

    /// <summary>
    /// How old merged data without a manifest must be before compaction deletes it. Such data is left by a
    /// compaction that failed before committing; its commit may still be in flight, so it is never deleted young.
    /// Default 1 hour.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan AbandonedMergeGracePeriod { get; set => field = AtLeast(value, TimeSpan.Zero); } = TimeSpan.FromHours(1);

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
    public TimeSpan AutoCompactionInterval { get; set => field = Above(value, TimeSpan.Zero); } = TimeSpan.FromMinutes(1);

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
        get;
        set
        {
            if (value != Timeout.InfiniteTimeSpan && value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Retention must be positive, or Timeout.InfiniteTimeSpan to keep events forever.");
            }

            field = value;
        }
    } = Timeout.InfiniteTimeSpan;

    /// <summary>
    /// Whether <see cref="Retention"/> and <see cref="AppendLog.TrimAsync"/> stop short of what a named consumer may
    /// still read: never trim past the oldest batch time any consumer's checkpoint needs (its position, less
    /// <see cref="TailLookBack"/> before the newest batch it handled; a consumer that has not started needs the whole
    /// log), and say in <see cref="TrimStats.HeldBy"/> which consumer held them. Each trim then reads every consumer's
    /// state first (one LIST and a GET each), and a damaged state object fails it. Default <see langword="false"/>:
    /// a consumer abandoned and never removed would hold the log forever, so storage would grow without bound, and
    /// retention is often a promise (privacy, compliance) that events are gone after a time, which one stuck
    /// consumer must not break. Turn it on where losing a consumer's unread events is the greater harm.
    /// </summary>
    public bool RetentionRespectsConsumers { get; set; }

    /// <summary>
    /// The longest a <see cref="AppendLog.TailAsync"/> waits between listings of the log: the pace of an idle tail.
    /// Default 1 second: an idle tail makes at most one LIST a second. While events flow a tail polls every
    /// <see cref="TailActivePollInterval"/> instead; once none has come for a second, the wait doubles after each
    /// empty poll back up to this.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan TailPollInterval { get; set => field = Above(value, TimeSpan.Zero); } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The wait between a tail's listings while events flow: after a poll that returned events, and for one second
    /// after the last such poll. Default 50 milliseconds: at 20 ms a request and 200 events a second, an event
    /// reaches a tail in another process within 300 ms (p99 252 ms; docs/benchmarks.md), for about 12 LISTs a second
    /// while events flow (at US$0.005 per 1,000 LISTs, about US$0.21 an hour of steady flow) and one a second once idle. A
    /// value above <see cref="TailPollInterval"/> acts as <see cref="TailPollInterval"/>: set both to one value for a
    /// fixed pace. A tail in the same process as a writer storing to the same store object and prefix does not wait
    /// for its poll: it lists as soon as that writer stores a batch.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan TailActivePollInterval { get; set => field = Above(value, TimeSpan.Zero); } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How far behind the newest batch it has returned <see cref="AppendLog.TailAsync"/> still looks for batches
    /// that arrive late: a writer whose clock is behind, or whose PUT was slow or retried, stores a batch whose name
    /// sorts before batches already returned. A batch that arrives later than this behind the newest is not
    /// returned by a running tail (a full read still returns it). Default 1 minute.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan TailLookBack { get; set => field = AtLeast(value, TimeSpan.Zero); } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How many batches one writer may be storing at once. Default 8; 1 stores one batch at a time. Batch names
    /// keep log order whatever order the PUTs land in, and a flush still waits for everything appended before it.
    /// When every slot is busy, sealed batches that were never attempted are joined into one object under the
    /// first one's name (up to <see cref="FlushThresholdBytes"/>), so a slow store gets fewer, larger PUTs.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxConcurrentPuts { get; set => field = AtLeast(value, 1); } = 8;

    /// <summary>
    /// How the batches this writer stores, and the merged objects its compactions write, are encoded. Default
    /// <see cref="LogCompression.Zstd"/>: the ILogger provider's entries take about a tenth of their bytes in batches of 32,
    /// and about an eighth for small demo events (docs/benchmarks.md). Readers decode any mix by name, whatever this says.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a <see cref="LogCompression"/> member.</exception>
    public LogCompression Compression
    {
        get;
        set => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Compression must be None, Gzip or Zstd.");
    } = LogCompression.Zstd;

    /// <summary>
    /// The most bytes one stored frame (a compressed batch) may decode to, where no manifest gives its exact size: a
    /// frame that decodes past it is a <see cref="CorruptObjectException"/>, not an out-of-memory error. 256 MiB,
    /// internal so tests can make it small. (A batch in a manifest must decode to exactly the size it lists.)
    /// </summary>
    internal int MaxDecodedFrameBytes { get; set; } = 256 * 1024 * 1024;

    /// <summary>
    /// How many GETs a read (or a compaction) keeps in flight at most: objects fetched ahead of the one being
    /// returned, and the parts of a large object read as ranged GETs. Default 64, so reading many small objects
    /// at 20 ms a request costs about one round trip per 64 objects.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int ReadConcurrency { get; set => field = AtLeast(value, 1); } = 64;

    /// <summary>
    /// The most bytes a read holds fetched ahead of the object it is returning, across all GETs in flight.
    /// A read always fetches at least one object or part, however large. Default 64 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public long ReadAheadBytes { get; set => field = AtLeast(value, 1); } = 64L * 1024 * 1024;

    /// <summary>
    /// Objects and ranged units larger than this are read as parallel ranged GETs of this size, each counting
    /// against <see cref="ReadConcurrency"/> and <see cref="ReadAheadBytes"/>. Internal so tests can make it small;
    /// at most <see cref="Array.MaxLength"/>, since a part is held in one array.
    /// </summary>
    internal int ReadPartBytes { get; set; } = 8 * 1024 * 1024;

    internal AppendLogOptions Clone() => (AppendLogOptions)MemberwiseClone();

    private static T AtLeast<T>(T value, T least) where T : IComparable<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, least, nameof(value));
        return value;
    }

    private static T Above<T>(T value, T bound) where T : IComparable<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, bound, nameof(value));
        return value;
    }
}
