using Microsoft.Extensions.Logging;
using ObjectLog.Internal;
using ObjectLog.Storage;

namespace ObjectLog;

/// <summary>
/// A write-once, batched, append-only event log under one key prefix of an <see cref="IObjectStore"/>.
/// </summary>
/// <remarks>
/// <para>
/// Events are buffered in memory and stored a batch at a time, up to <see cref="AppendLogOptions.MaxConcurrentPuts"/>
/// batches at once, each batch as one new immutable JSON Lines object named <c>{prefix}/batch_{µs:D19}-{writer:x16}-{seq:D12}.jsonl</c>. Names are unique without coordination, so
/// any number of writers, in any number of processes, may share a prefix; text order of the names is the log's
/// order, and one writer's events always come back in the order it appended them. Logs written by the original
/// design (<c>batch_{µs:D19}.jsonl</c>) read and compact in place.
/// </para>
/// <para>
/// <see cref="AppendAsync"/> completes once the event is in memory, NOT once it is stored, unless it fills the
/// batch; <see cref="TryAppend"/> never waits. <see cref="FlushAsync"/> completes once every event appended before
/// it is stored. A failed store keeps its batch, in order, under the same name, and it is retried (by the next
/// flush, or once another PUT succeeds). <see cref="DisposeAsync"/> flushes. All members are thread-safe.
/// </para>
/// </remarks>
public sealed partial class AppendLog : IAsyncDisposable
{
    // A composition root: each member checks its arguments and hands off to the component that does the work.
    // Appends and flushes go to the write pipeline, reads and tails (AppendLog.Reads.cs) to the event reader,
    // compactions, trims and their timer to the maintenance scheduler, verification and listings to the inspector.
    private readonly string _logPrefix;
    private readonly IObjectStore _store; // metered
    private readonly AppendLogOptions _settings;
    private readonly StoreClock _clock;
    private readonly WritePipeline _writer;
    private readonly EventReader _reads;
    private readonly LogInspector _inspector;
    private readonly MaintenanceScheduler _maintenance;
    private readonly Lock _gate = new();
    private bool _disposed;
    private Task? _releasedClose;

    /// <summary>Opens the log stored under <paramref name="prefix"/> in <paramref name="store"/>.</summary>
    /// <param name="store">Where the log's objects live.</param>
    /// <param name="prefix">The key prefix, such as <c>logs/errors</c>: a valid key prefix (see <see cref="ObjectKey"/>), trailing <c>/</c> optional; empty for the store's root.</param>
    /// <param name="options">Settings; the defaults if <see langword="null"/>. The log keeps a copy.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="prefix"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> cannot hold a log (see <see cref="ObjectKey.ValidateLogPrefix"/>): it would escape the store root, contains a backslash or NUL, leaves no room for the log's names, …; or <paramref name="options"/> compress batches that could be larger than a reader decodes from one frame (256 MiB: <see cref="AppendLogOptions.FlushThresholdBytes"/> plus <see cref="AppendLogOptions.MaxEventBytes"/> above it).</exception>
    public AppendLog(IObjectStore store, string prefix, AppendLogOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ObjectKey.ValidateLogPrefix(prefix);
        string trimmed = prefix.EndsWith('/') ? prefix[..^1] : prefix;
        _logPrefix = trimmed.Length == 0 ? "" : trimmed + "/";
        KeyValuePair<string, object?> tag = new("objectlog.prefix", _logPrefix);
        store = new MeteredObjectStore(store, tag); // everything below goes through it, so every request is counted
        AppendLogOptions settings = (options ?? new AppendLogOptions()).Clone();
        if (settings.Compression != LogCompression.None && (long)settings.FlushThresholdBytes + settings.MaxEventBytes > settings.MaxDecodedFrameBytes)
        {
            throw new ArgumentException($"A compressed batch may hold up to FlushThresholdBytes + MaxEventBytes = {(long)settings.FlushThresholdBytes + settings.MaxEventBytes} bytes, more than the {settings.MaxDecodedFrameBytes} a reader decodes from one frame: lower them, or set Compression to None.", nameof(options));
        }
        ILogger logger = settings.LoggerFactory.CreateLogger<AppendLog>();
        (_store, _settings) = (store, settings);
        _clock = new StoreClock(store, settings.TimeProvider, logger, settings.StoreTimeProvider);
        _writer = new WritePipeline(store, _logPrefix, settings, _clock, tag, logger); // with its flush timer
        var manifests = new ManifestCache(store);
        _reads = new EventReader(_writer, new LogReader(store, _logPrefix, manifests, settings), new LastEventsReader(store, _logPrefix, manifests, settings), _clock, settings);
        _inspector = new LogInspector(store, _logPrefix, manifests, settings, _clock, _reads);
        var compactor = new Compactor(store, _logPrefix, manifests, settings, _writer.WriteMode, _clock);
        var trimmer = new Trimmer(store, _logPrefix, manifests, settings, _writer.WriteMode, _clock);
        _maintenance = new MaintenanceScheduler(compactor, trimmer, _clock, _logPrefix, settings, tag, logger).Start(); // with its timer, if any
    }

    /// <summary>The key prefix the log's objects are stored under, ending in <c>/</c> (empty for the store's root).</summary>
    public string KeyPrefix => _logPrefix;

    /// <summary>Bytes appended but not yet stored (the open batch plus batches waiting to be stored).</summary>
    public long BufferedBytes => _writer.BufferedBytes;

    /// <summary>Events appended but not yet stored, for reporting what a shutdown leaves behind.</summary>
    internal long BufferedEvents => _writer.BufferedEvents;

    /// <summary>
    /// Why the batch PUT that finished last failed, or <see langword="null"/> if it succeeded or none has finished: a
    /// store that is down now, not one that failed once and recovered. For health checks; a failed PUT's events stay
    /// buffered and are retried, and <see cref="FlushAsync"/> reports its own failures.
    /// </summary>
    public Exception? LastStoreFailure => _writer.LastFailure;

    /// <summary>
    /// Adds one event. Completes when the event is in memory; if it fills the batch (see
    /// <see cref="AppendLogOptions.FlushThreshold"/>), completes when that batch and every batch before it are
    /// stored; if the buffer is full, first waits for room. Appends from other callers go on into the next batch
    /// meanwhile.
    /// </summary>
    /// <param name="line">The event's bytes, typically one JSON object, without a trailing newline.</param>
    /// <param name="cancellationToken">Cancels waiting for the store; the event stays appended and will be stored.</param>
    /// <exception cref="ArgumentException">The event is empty, contains a newline (it would read back as two events), or is longer than <see cref="AppendLogOptions.MaxEventBytes"/>. Nothing is appended.</exception>
    /// <exception cref="AppendBufferFullException">The buffer is full and storing its oldest batch failed; the event was not appended.</exception>
    /// <exception cref="ObjectStoreException">Storing the filled batch failed; the event is kept and a later flush retries it.</exception>
    /// <exception cref="ObjectDisposedException">The log is disposed or being disposed.</exception>
    public ValueTask AppendAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken = default)
        => AppendCopyingAsync(line.Span, line, cancellationToken);

    /// <summary>
    /// <see cref="AppendAsync(ReadOnlyMemory{byte}, CancellationToken)"/> for a caller that reuses its buffer: the
    /// bytes are copied before this returns, and only a full buffer (the slow path) copies them to an array to wait.
    /// </summary>
    internal ValueTask AppendCopyingAsync(ReadOnlySpan<byte> line, ReadOnlyMemory<byte>? owned, CancellationToken cancellationToken)
        => _writer.AppendAsync(line, owned, cancellationToken);

    /// <summary>
    /// Adds one event without ever waiting, for synchronous callers such as a logger. If it fills the batch, the
    /// batch is stored in the background; a background failure keeps the events buffered, is counted
    /// (<c>objectlog.flush.failures</c>), is retried, and is thrown by the next <see cref="FlushAsync"/> or
    /// <see cref="DisposeAsync"/> if the retries have not succeeded by then.
    /// </summary>
    /// <param name="line">The event's bytes, typically one JSON object, without a trailing newline.</param>
    /// <returns><see langword="true"/> if the event was appended; <see langword="false"/> if the buffer is full (<see cref="AppendLogOptions.MaxBufferedBytes"/>) and it was not.</returns>
    /// <exception cref="ArgumentException">The event is empty, contains a newline, or is longer than <see cref="AppendLogOptions.MaxEventBytes"/>. Nothing is appended.</exception>
    /// <exception cref="ObjectDisposedException">The log is disposed or being disposed.</exception>
    public bool TryAppend(ReadOnlySpan<byte> line) => _writer.TryAppend(line);

    /// <summary>Stores every event appended before this call. Flushing an empty buffer does nothing.</summary>
    /// <exception cref="ObjectStoreException">The store failed. Nothing is lost: the events stay buffered, in order, and the next flush retries them under the same names.</exception>
    /// <exception cref="ObjectDisposedException">The log is disposed.</exception>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        return _writer.FlushAsync(close: false, cancellationToken);
    }

    /// <summary>
    /// Merges every object a reader would read into one committed merged object, then deletes the objects it
    /// replaced (after <see cref="AppendLogOptions.SupersededGracePeriod"/>). With fewer than two objects it merges
    /// nothing. It may run while any number of writers append and other compactions run; readers see the same
    /// events before, during and after, and after a compaction that failed at any step.
    /// </summary>
    public Task<CompactionStats> CompactAsync(CancellationToken cancellationToken = default) => CompactAsync(CompactionPolicy.All, cancellationToken);

    /// <summary>
    /// Merges the objects <paramref name="policy"/> chooses (see <see cref="CompactionPolicy.SizeTiered"/>), with the
    /// guarantees of <see cref="CompactAsync(CancellationToken)"/>. When it chooses fewer than two, merges nothing
    /// and reports how many objects make up the log.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is <see langword="null"/>.</exception>
    public Task<CompactionStats> CompactAsync(CompactionPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _maintenance.CompactAsync(policy, cancellationToken);
    }

    /// <summary>
    /// Removes every batch stored before now whose time (see <see cref="LogPosition.BatchTime"/>) is before
    /// <paramref name="before"/>, to the microsecond (rounded down): retention at batch granularity, so a batch started
    /// just before the cutoff goes whole, even with events appended after it. First it commits a small create-only trim
    /// record; from that moment reads, tails, <see cref="CountObjectsAsync"/> and compactions act as if those batches
    /// were gone, even while a merged object still holds some (the next compaction that rewrites it drops them). Then
    /// it deletes them. A trim that fails or crashes at any step leaves readers seeing the whole log or the trimmed
    /// log, never one with a hole. It may race writers, compactions and other trims: nothing trimmed comes back, and
    /// nothing stored after a trim record is hidden by it, whatever its name (a batch whose PUT was retried for an
    /// hour, or whose writer's clock lags, is read).
    /// </summary>
    /// <remarks>
    /// "Now" is the store's clock (<see cref="IObjectStore.GetTimeAsync"/>), not this machine's: a host whose clock is a
    /// year fast cannot erase the log. To keep the last 30 days, pass the store's time less 30 days, or set
    /// <see cref="AppendLogOptions.Retention"/>, which does.
    /// </remarks>
    /// <param name="before">The cutoff: not later than the store's time, since a later one would hide batches being written now.</param>
    /// <param name="cancellationToken">Cancels the trim; one cancelled after its record was stored has taken effect.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="before"/> is later than the store's time; the message gives both times. Nothing is trimmed.</exception>
    /// <exception cref="ObjectStoreException">Reading the store's clock or storing the trim record failed (it may or may not have taken effect; trimming again is safe).</exception>
    public Task<TrimStats> TrimAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _maintenance.TrimAsync(before, cancellationToken);
    }

    /// <summary>
    /// The store's time now (see <see cref="IObjectStore.GetTimeAsync"/>), as this log estimates it: the clock batch
    /// names are held to, so a cutoff for <see cref="TrimAsync"/> or a start for <see cref="LogPosition.Before"/> counted
    /// back from it means the same on every machine, whatever its own clock says.
    /// </summary>
    /// <param name="cancellationToken">Cancels asking the store.</param>
    /// <exception cref="ObjectStoreException">The store failed.</exception>
    public ValueTask<DateTimeOffset> GetStoreTimeAsync(CancellationToken cancellationToken = default) => _clock.NowAsync(cancellationToken);

    /// <summary>
    /// Checks every object of the log on its own (that batches and merged data frame as JSON Lines, that each
    /// committed merged object matches its manifest and has its end marker), then, if all are sound, reads the stored
    /// log whole as a reader would and checks that each event comes once and in order. It changes nothing. Objects
    /// that are not ObjectLog's and uncommitted merges are counted, not problems.
    /// </summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The objects checked, the events read, and every problem found, each naming its key.</returns>
    /// <exception cref="ObjectStoreException">The store failed (not a problem with the log's objects, which are reported).</exception>
    public Task<VerifyReport> VerifyAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _inspector.VerifyAsync(cancellationToken);
    }

    /// <summary>
    /// The stored objects a full read fetches now, each with the byte range it reads where that is not the whole
    /// object: batch objects no merged object holds, and merged objects committed by a manifest. Not listed: merged
    /// data without a manifest (a compaction that has not committed, or crashed), objects superseded but not yet
    /// deleted (<see cref="AppendLogOptions.SupersededGracePeriod"/>), trimmed bytes, manifests, markers and objects
    /// that are not ObjectLog's. Reading exactly these bytes, in any order, gives each stored event once, as
    /// <see cref="ReadEventsAsync(LogPosition?, CancellationToken)"/> does; this writer's unstored events are not included.
    /// </summary>
    /// <remarks>
    /// It lists the log once and fetches the manifest of each merged object (cached; few, with compaction). The
    /// answer is a snapshot: a compaction that runs afterwards may delete a listed object once it has committed
    /// (at once, by default), so a tool reading the list then fails on a missing object rather than reading wrong data.
    /// </remarks>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The live objects in log order of their first batch; an object read in disjoint parts appears once per part.</returns>
    /// <exception cref="ObjectDisposedException">The log is disposed.</exception>
    /// <exception cref="ObjectStoreException">The store failed.</exception>
    public Task<IReadOnlyList<LiveObject>> ListLiveObjectsAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _inspector.ListLiveObjectsAsync(cancellationToken);
    }

    /// <summary>
    /// Every stored object under the log's prefix, in key order, with what its name says it is and its state as a
    /// compaction would see it now (live, superseded, uncommitted, garbage or foreign: see docs/format.md). It lists
    /// the log once and fetches every merged object's manifest (cached); it changes nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>Every object listed, this writer's unstored events not included.</returns>
    /// <exception cref="ObjectDisposedException">The log is disposed.</exception>
    /// <exception cref="CorruptObjectException">A manifest is unsound, so the states cannot be told; the message names its key (<see cref="StoredObject.KindOf"/> still tells what each object is).</exception>
    /// <exception cref="ObjectStoreException">The store failed.</exception>
    public async Task<IReadOnlyList<StoredObject>> ListStoredObjectsAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return StoredObject.ListOf(await _inspector.TakeCensusAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>How many stored objects a full read fetches now (superseded and foreign objects not counted).</summary>
    public Task<int> CountObjectsAsync(CancellationToken cancellationToken = default) => _inspector.CountObjectsAsync(cancellationToken);

    /// <summary>
    /// Stops the timers and any background compaction (waiting for it), refuses further appends and stores
    /// everything buffered. If storing fails the exception propagates and the events stay buffered: call
    /// <see cref="FlushAsync"/> or this method again.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Task? released;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            released = _releasedClose;
            _writer.StopBackgroundFlushes();
            _maintenance.Close();
        }

        if (released is not null)
        {
            await released.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return;
        }

        await _maintenance.StopAsync().ConfigureAwait(false);
        await _writer.FlushAsync(close: true, CancellationToken.None).ConfigureAwait(false);
        lock (_gate)
        {
            _disposed = true;
        }

        await _writer.DisposeFlushTimerAsync().ConfigureAwait(false);
        _maintenance.Dispose();
    }

    /// <summary>
    /// Makes every later <see cref="DisposeAsync"/> store nothing and throw nothing: it only waits for
    /// <paramref name="closing"/>, the close already under way. For an owner that has tried to store and close the log
    /// and reported what stayed buffered (the hosting package's shutdown), so that a container disposing the log
    /// afterwards does not retry against a store that is down and throw out of the host's dispose; a close that was
    /// still waiting on a slow store may finish meanwhile. A host calls it after its stop's <see cref="DisposeAsync"/>
    /// failed or ran out of time, passing that call's task.
    /// </summary>
    /// <param name="closing">The task of the <see cref="DisposeAsync"/> call that failed or is still under way.</param>
    /// <exception cref="ArgumentNullException"><paramref name="closing"/> is <see langword="null"/>.</exception>
    public void ReleaseAfterFailedClose(Task closing)
    {
        ArgumentNullException.ThrowIfNull(closing);
        lock (_gate)
        {
            _releasedClose = closing;
        }
    }
}
