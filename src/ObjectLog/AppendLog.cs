using System.Runtime.CompilerServices;
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
public sealed class AppendLog : IAsyncDisposable
{
    private readonly IObjectStore _store;
    private readonly string _logPrefix;
    private readonly AppendLogOptions _options;
    private readonly WritePipeline _writer;
    private readonly LogReader _reader;
    private readonly LastEventsReader _lastReader;
    private readonly Compactor _compactor;
    private readonly Trimmer _trimmer;
    private readonly ManifestCache _manifests;
    private readonly StoreClock _clock;
    private readonly Lock _gate = new();
    private readonly ITimer? _timer;
    private readonly ITimer? _compactionTimer;
    private readonly CancellationTokenSource _stopping = new();
    private readonly KeyValuePair<string, object?> _tag;
    private readonly ILogger _logger;
    private Task _backgroundCompaction = Task.CompletedTask;
    private int _compacting;
    private int _flushingInBackground;
    private bool _closing;
    private bool _disposed;
    private Task? _releasedClose;

    /// <summary>Opens the log stored under <paramref name="prefix"/> in <paramref name="store"/>.</summary>
    /// <param name="store">Where the log's objects live.</param>
    /// <param name="prefix">The key prefix, such as <c>logs/errors</c>: a valid key prefix (see <see cref="ObjectKey"/>), trailing <c>/</c> optional; empty for the store's root.</param>
    /// <param name="options">Settings; the defaults if <see langword="null"/>. The log keeps a copy.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="prefix"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> cannot hold a log (see <see cref="ObjectKey.ValidateLogPrefix"/>): it would escape the store root, contains a backslash or NUL, leaves no room for the log's names, …</exception>
    public AppendLog(IObjectStore store, string prefix, AppendLogOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ObjectKey.ValidateLogPrefix(prefix);
        string trimmed = prefix.EndsWith('/') ? prefix[..^1] : prefix;
        _logPrefix = trimmed.Length == 0 ? "" : trimmed + "/";
        _tag = new("objectlog.prefix", _logPrefix);
        store = new MeteredObjectStore(store, _tag); // everything below goes through it, so every request is counted
        _store = store;
        _options = (options ?? new AppendLogOptions()).Clone();
        _logger = _options.LoggerFactory.CreateLogger<AppendLog>();
        _clock = new StoreClock(store, _options.TimeProvider, _logger, _options.StoreTimeProvider);
        _writer = new WritePipeline(store, _logPrefix, _options, _clock, _tag, _logger);
        _manifests = new ManifestCache(store);
        _reader = new LogReader(store, _logPrefix, _manifests, _options);
        _lastReader = new LastEventsReader(store, _logPrefix, _manifests, _options);
        _compactor = new Compactor(store, _logPrefix, _manifests, _options, _writer.WriteMode, _clock);
        _trimmer = new Trimmer(store, _logPrefix, _manifests, _options, _writer.WriteMode, _clock);
        if (_options.FlushInterval != Timeout.InfiniteTimeSpan)
        {
            _timer = _options.TimeProvider.CreateTimer(static state => ((AppendLog)state!).FlushInBackground(), this, _options.FlushInterval, _options.FlushInterval);
        }

        if (_options.AutoCompaction is not null || _options.Retention != Timeout.InfiniteTimeSpan)
        {
            _compactionTimer = _options.TimeProvider.CreateTimer(static state => ((AppendLog)state!).CompactInBackground(), this, _options.AutoCompactionInterval, _options.AutoCompactionInterval);
        }
    }

    /// <summary>The key prefix the log's objects are stored under, ending in <c>/</c> (empty for the store's root).</summary>
    public string KeyPrefix => _logPrefix;

    /// <summary>The log's store, every request through it counted (tools that inspect the log use it so they are counted too).</summary>
    internal IObjectStore Store => _store;

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
    {
        ValidateEvent(line);
        switch (_writer.TryAppend(line, out long sealedThrough, out long attemptsBefore))
        {
            case AppendOutcome.Appended:
                return default;
            case AppendOutcome.Sealed:
                return new ValueTask(_writer.WaitStoredAsync(sealedThrough, attemptsBefore, cancellationToken));
            case AppendOutcome.Full:
                return new ValueTask(AppendWhenFullAsync(owned ?? line.ToArray(), cancellationToken));
            default:
                throw new ObjectDisposedException(GetType().FullName);
        }
    }

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
    public bool TryAppend(ReadOnlySpan<byte> line)
    {
        ValidateEvent(line);
        AppendOutcome outcome = _writer.TryAppend(line, out _, out _);
        ObjectDisposedException.ThrowIf(outcome == AppendOutcome.Closed, this);
        return outcome != AppendOutcome.Full;
    }

    /// <summary>Stores every event appended before this call. Flushing an empty buffer does nothing.</summary>
    /// <exception cref="ObjectStoreException">The store failed. Nothing is lost: the events stay buffered, in order, and the next flush retries them under the same names.</exception>
    /// <exception cref="ObjectDisposedException">The log is disposed.</exception>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        return _writer.FlushAsync(close: false, cancellationToken);
    }

    /// <summary>
    /// Reads the whole log: every batch stored before the call began and this writer's batches not yet stored,
    /// in log order (by name: the unstored ones are this writer's newest, so they usually come last), each exactly
    /// once. A compaction running at the same time does not change the result.
    /// </summary>
    /// <exception cref="CorruptObjectException">A log object is truncated or otherwise unsound; the message names its key.</exception>
    public async Task<IReadOnlyList<byte[]>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        var events = new List<byte[]>();
        await foreach (List<PlannedEvent> block in ReadBlocksAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (PlannedEvent e in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(block))
            {
                events.Add(e.Data);
            }
        }

        return events;
    }

    /// <summary>
    /// Streams the log in the order and with the guarantees of <see cref="ReadAllAsync"/>, holding a bounded amount
    /// in memory: up to <see cref="AppendLogOptions.ReadConcurrency"/> objects (or parts of large ones) and
    /// <see cref="AppendLogOptions.ReadAheadBytes"/> are fetched ahead.
    /// </summary>
    public async IAsyncEnumerable<byte[]> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (List<PlannedEvent> block in ReadBlocksAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (PlannedEvent e in block)
            {
                yield return e.Data;
            }
        }
    }

    /// <summary>
    /// The last <paramref name="count"/> events of the log (fewer if it holds fewer), each with its position, in log
    /// order: the end of what <see cref="ReadAllAsync"/> returns, this writer's unstored batches included (their
    /// positions hold once they are stored, under the same names). It lists the log, then fetches from the newest
    /// object backwards until it has them, so its GETs follow <paramref name="count"/>, not the log's size, and a
    /// damaged object older than the events returned does not fail it.
    /// </summary>
    /// <param name="count">How many events: 0 or more.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="CorruptObjectException">An object holding some of those events is truncated or otherwise unsound; the message names its key.</exception>
    public async Task<IReadOnlyList<LogEvent>> ReadLastAsync(int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return count == 0 ? [] : (await ReadLastAsync(count, recentWindow: null, cancellationToken).ConfigureAwait(false)).Events;
    }

    /// <summary>
    /// <see cref="ReadLastAsync(int, CancellationToken)"/>, and the names of the batches the listing held from
    /// <paramref name="recentWindow"/> before its newest batch on, for a reader that follows on from these events
    /// with <see cref="TailAsync"/> and must not return those batches as new (see <see cref="RecentEvents.RecentBatches"/>).
    /// </summary>
    /// <param name="count">How many events: 0 or more.</param>
    /// <param name="recentWindow">How far back from the newest batch to name the batches listed: at least <see cref="AppendLogOptions.TailLookBack"/> for a tail that follows.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> or <paramref name="recentWindow"/> is negative.</exception>
    /// <exception cref="CorruptObjectException">An object holding some of those events is truncated or otherwise unsound; the message names its key.</exception>
    public async Task<RecentEvents> ReadRecentEventsAsync(int count, TimeSpan recentWindow, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(recentWindow, TimeSpan.Zero);
        LastEvents last = await ReadLastAsync(count, recentWindow, cancellationToken).ConfigureAwait(false);
        return new RecentEvents(last.Events, last.RecentBatches);
    }

    /// <summary>
    /// <see cref="ReadLastAsync(int, CancellationToken)"/>, and the names of the batches the listing held from
    /// <paramref name="recentWindow"/> before its newest on (for a tail that follows on from these events).
    /// </summary>
    internal async Task<LastEvents> ReadLastAsync(int count, TimeSpan? recentWindow, CancellationToken cancellationToken)
    {
        List<PendingBatch> pending = await _writer.CopyUnstoredAsync(cancellationToken).ConfigureAwait(false); // before listing, as ReadBlocksAsync does
        return await _lastReader.ReadAsync(pending, count, recentWindow, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams the stored events (not this writer's buffer) after <paramref name="after"/>, or from the start, each
    /// with its position, in log order. Positions survive compaction, so a consumer can checkpoint one and resume.
    /// It lists the log from <paramref name="after"/>'s batch on, so its cost follows what lies after it, not the
    /// log's size.
    /// </summary>
    /// <remarks>
    /// "After" is the log's order, by name: a batch that sorts before the position is not after it, even if it was
    /// stored later (a writer whose clock lags by a few seconds, a PUT retried for a while). A consumer that saves
    /// positions and must not miss such a batch resumes with <see cref="TailAsync"/>, which looks back. One exception
    /// keeps a position from the future harmless: a position whose batch is named further ahead of the store's clock
    /// than writers ever name batches (hand-made, or from a version that trusted a fast clock) resumes, at least
    /// once, from <see cref="AppendLogOptions.TailLookBack"/> before the store's time instead.
    /// </remarks>
    /// <param name="after">Where to resume: events at or before it are skipped, and so are batches that sort before its batch. <see cref="LogPosition.Before"/> turns a time into one.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async IAsyncEnumerable<LogEvent> ReadEventsAsync(LogPosition? after = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? from = after?.Batch;
        string? listAfter = after is { } a ? LogObjectName.FloorAt(a.BatchTime) : null;
        if (after is { IsTime: false } checkpoint && checkpoint.BatchTime > await _clock.NowAsync(cancellationToken).ConfigureAwait(false) + StoreClock.NameBound)
        {
            from = listAfter = await ResumeFloorAsync(checkpoint, cancellationToken).ConfigureAwait(false);
        }

        IAsyncEnumerable<LogEvent> events = ReadStoredAsync(
            from is null ? static _ => true : name => string.CompareOrdinal(name, from) >= 0,
            listAfter,
            after,
            cancellationToken);
        await foreach (LogEvent e in events.ConfigureAwait(false))
        {
            yield return e;
        }
    }

    /// <summary>
    /// Where a read resuming at a checkpoint starts: <see cref="AppendLogOptions.TailLookBack"/> before the position's
    /// batch time, or before the store's clock (plus the 30 seconds a writer's names may run ahead of it) for a
    /// position named further ahead than that, so a batch named far in the future cannot hide what is stored after it.
    /// </summary>
    private async ValueTask<string> ResumeFloorAsync(LogPosition after, CancellationToken cancellationToken)
    {
        DateTimeOffset ceiling = await _clock.NowAsync(cancellationToken).ConfigureAwait(false) + StoreClock.NameBound;
        return LogObjectName.FloorAt(Min(after.BatchTime, ceiling) - _options.TailLookBack);
    }

    /// <summary>
    /// Streams the stored events (not this writer's buffer) of every batch whose time (the writer's clock when the
    /// batch's first event was appended, see <see cref="LogPosition.BatchTime"/>) is in [<paramref name="from"/>,
    /// <paramref name="until"/>), each with its position, in log order. The granularity is the batch: a batch
    /// whose time is in the range comes whole, even with events appended after <paramref name="until"/>. Times
    /// are compared to the microsecond (rounded down). It lists the log from <paramref name="from"/> on, so its
    /// cost follows the range's start, not the log's size; merged objects that straddle a bound are read by byte
    /// range.
    /// </summary>
    /// <param name="from">The earliest batch time to return.</param>
    /// <param name="until">The batch time to stop before; <see langword="null"/> for no end.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ArgumentException"><paramref name="until"/> is before <paramref name="from"/>.</exception>
    public IAsyncEnumerable<LogEvent> ReadEventsAsync(DateTimeOffset from, DateTimeOffset? until = null, CancellationToken cancellationToken = default)
    {
        if (until < from)
        {
            throw new ArgumentException($"The range ends ({until:O}) before it starts ({from:O}).", nameof(until));
        }

        string floor = LogObjectName.FloorAt(from);
        string? end = until is { } u ? LogObjectName.FloorAt(u) : null;
        return ReadStoredAsync(
            name => string.CompareOrdinal(name, floor) >= 0 && (end is null || string.CompareOrdinal(name, end) < 0),
            floor,
            after: null,
            cancellationToken);
    }

    /// <summary>
    /// Follows the log: returns the stored events after <paramref name="after"/> (or from the start), then waits
    /// and returns new ones as writers store them, until cancelled. Every <see cref="AppendLogOptions.TailPollInterval"/>
    /// it lists the log again and returns each batch it has not returned yet, including batches that arrive late
    /// with names that sort before ones already returned (up to <see cref="AppendLogOptions.TailLookBack"/>), so
    /// events may come out of log order but each comes once. Compaction does not disturb it. Each poll lists from
    /// the look-back floor, so an idle tail costs what is new since the floor, not what the log holds. The floor
    /// follows the newest batch returned, held to the store's clock (plus the 30 seconds a writer's names may run
    /// ahead of it), so one batch named far in the future does not blind the tail to everyone else's.
    /// </summary>
    /// <param name="after">
    /// Where to resume, at least once: the events after it in its own batch, and every other batch from
    /// <see cref="AppendLogOptions.TailLookBack"/> before its batch's time on, including those that sort before it.
    /// A batch that sorts before a saved position can still be stored after the position was saved (another writer's
    /// PUT that took a while); looking back returns it, at the price of returning again the batches of that minute
    /// that came before the position. A position from <see cref="LogPosition.Before"/> is a time: the tail starts
    /// exactly there.
    /// </param>
    /// <param name="cancellationToken">Ends the tail (with <see cref="OperationCanceledException"/>).</param>
    public async IAsyncEnumerable<LogEvent> TailAsync(LogPosition? after = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var returned = new HashSet<string>(StringComparer.Ordinal); // batches returned whole, at or after the floor
        DateTimeOffset storeNow = await _clock.NowAsync(cancellationToken).ConfigureAwait(false); // also calibrates the ceiling below
        string? newest = null;
        string? checkpoint = null; // no batch before it is returned
        string? checkpointFloor = null;
        bool firstPoll = true;
        if (after is { IsTime: true } time)
        {
            (newest, checkpoint, checkpointFloor) = (time.Batch, time.Batch, LogObjectName.FloorAt(time.BatchTime));
        }
        else if (after is { } start)
        {
            // Resuming, at least once: see ResumeFloorAsync and the parameter's remarks.
            checkpoint = checkpointFloor = await ResumeFloorAsync(start, cancellationToken).ConfigureAwait(false);
            newest = start.BatchTime <= storeNow + StoreClock.NameBound ? start.Batch : null;
        }

        while (true)
        {
            // The floor follows the newest batch returned, but never from further ahead than writers name batches:
            // one batch named far in the future must not lift it above the batches everyone else is storing now.
            _clock.RefreshIfStale();
            DateTimeOffset? ceiling = _clock.Estimate() + StoreClock.NameBound;
            string? floor = newest is null ? null : LogObjectName.FloorAt(Min(LogObjectName.TimeOf(newest), ceiling) - _options.TailLookBack);
            if (!firstPoll && ceiling is { } c)
            {
                // After the first poll only arrivals are looked for, and a batch stored now is named within NameBound
                // of the store's clock: nothing named more than the look-back before that is waited for, however old
                // the newest batch returned is (so an idle log costs what arrives, not a minute of old keys a poll).
                string arrivals = LogObjectName.FloorAt(c - StoreClock.NameBound - StoreClock.NameBound - _options.TailLookBack);
                if (floor is null || string.CompareOrdinal(arrivals, floor) > 0)
                {
                    floor = arrivals;
                }
            }

            firstPoll = false;
            bool Include(string name)
                => (floor is null || string.CompareOrdinal(name, floor) >= 0)
                && (checkpoint is null || string.CompareOrdinal(name, checkpoint) >= 0)
                && !returned.Contains(name);

            string? listAfter = string.CompareOrdinal(floor, checkpointFloor) >= 0 ? floor : checkpointFloor; // the later one; null sorts first
            string? current = null;
            await foreach (List<PlannedEvent> block in _reader.ReadAsync([], Include, listAfter, cancellationToken).ConfigureAwait(false))
            {
                foreach (PlannedEvent e in block)
                {
                    string batch = e.Batch!; // a filtered read knows every event's batch
                    if (current != batch)
                    {
                        if (current is not null)
                        {
                            returned.Add(current);
                        }

                        current = batch;
                        if (newest is null || string.CompareOrdinal(batch, newest) > 0)
                        {
                            newest = batch;
                        }
                    }

                    var position = new LogPosition(batch, e.Line, trusted: true);
                    if (after is not { } a || batch != a.Batch || position > a)
                    {
                        yield return new LogEvent(position, e.Data);
                    }
                }
            }

            if (current is not null)
            {
                returned.Add(current);
            }

            if (floor is not null)
            {
                returned.RemoveWhere(name => string.CompareOrdinal(name, floor) < 0);
            }

            await Task.Delay(_options.TailPollInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset? b) => b is { } v && v < a ? v : a;

    /// <summary>The stored events of the batches <paramref name="include"/> accepts, listed after <paramref name="listAfter"/>, skipping those at or before <paramref name="after"/>.</summary>
    private async IAsyncEnumerable<LogEvent> ReadStoredAsync(Func<string, bool> include, string? listAfter, LogPosition? after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (List<PlannedEvent> block in _reader.ReadAsync([], include, listAfter, cancellationToken).ConfigureAwait(false))
        {
            foreach (PlannedEvent e in block)
            {
                var position = new LogPosition(e.Batch!, e.Line, trusted: true);
                if (after is not { } a || e.Batch != a.Batch || position > a)
                {
                    yield return new LogEvent(position, e.Data);
                }
            }
        }
    }

    /// <summary>The stored events, then this writer's buffer, a block at a time; a block is valid until the next step.</summary>
    internal async IAsyncEnumerable<List<PlannedEvent>> ReadBlocksAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Copy memory before listing: a batch stored in between is then seen in the listing, the copy, or both
        // (deduplicated by name), never in neither. The open batch already has its name, so it is deduplicated too.
        List<PendingBatch> pending = await _writer.CopyUnstoredAsync(cancellationToken).ConfigureAwait(false);
        await foreach (List<PlannedEvent> block in _reader.ReadAsync(pending, includeBatch: null, listAfter: null, cancellationToken).ConfigureAwait(false))
        {
            yield return block;
        }
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
        return CompactCoreAsync(policy, cancellationToken);
    }

    private async Task<CompactionStats> CompactCoreAsync(CompactionPolicy policy, CancellationToken cancellationToken)
    {
        CompactionStats stats = await _compactor.CompactAsync(policy, cancellationToken).ConfigureAwait(false);
        if (stats.NewKey is not null)
        {
            ObjectLogMetrics.Compactions.Add(1, _tag);
        }

        return stats;
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
        return _trimmer.TrimAsync(before, cancellationToken);
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
    /// The spill files on this machine that compactions left behind when their process died mid-merge (in the temp
    /// folder every compaction spills to, whatever its log): full paths, in ordinal order. The next compaction that
    /// spills to disk deletes them; they hold no log's only copy of anything.
    /// </summary>
    public static IReadOnlyList<string> FindStaleSpillFiles() => SpillFile.FindStale();

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
        return LogVerifier.VerifyAsync(this, _manifests, _options, cancellationToken);
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
    public async Task<IReadOnlyList<LiveObject>> ListLiveObjectsAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                // A filter that keeps every batch makes the plan load every manifest, so each part's events are known.
                LogSnapshot snapshot = await LogSnapshot.LoadAsync(_store, _logPrefix, _manifests, [], includeBatch: static _ => true, forCompaction: false, _options, cancellationToken).ConfigureAwait(false);
                return LiveObject.FromUnits(snapshot.Units);
            }
            catch (ObjectNotFoundException) when (attempt < 10)
            {
                // A manifest listed a moment ago was collected by a compaction: list again.
            }
        }
    }

    /// <summary>Lists the log and tells each object's state (live, superseded, uncommitted, garbage, foreign), as a compaction would see it now; changes nothing.</summary>
    internal async Task<LogCensus> TakeCensusAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        DateTimeOffset now = await _clock.NowAsync(cancellationToken).ConfigureAwait(false); // before the listing, as a compaction reads it
        return await LogCensus.TakeAsync(_store, _logPrefix, _manifests, _options, now, cancellationToken).ConfigureAwait(false);
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
        => StoredObject.ListOf(await TakeCensusAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>How many stored objects a full read fetches now (superseded and foreign objects not counted).</summary>
    public async Task<int> CountObjectsAsync(CancellationToken cancellationToken = default)
    {
        LogSnapshot snapshot = await LogSnapshot.LoadAsync(_store, _logPrefix, _manifests, [], includeBatch: null, forCompaction: false, _options, cancellationToken).ConfigureAwait(false);
        return snapshot.Sources.Count;
    }

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
            _closing = true;
        }

        if (released is not null)
        {
            await released.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return;
        }

        if (_compactionTimer is not null)
        {
            await _compactionTimer.DisposeAsync().ConfigureAwait(false);
            await _stopping.CancelAsync().ConfigureAwait(false); // a compaction stopped at any step changes nothing readers see
            await _backgroundCompaction.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _writer.FlushAsync(close: true, CancellationToken.None).ConfigureAwait(false);
        lock (_gate)
        {
            _disposed = true;
        }

        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    /// <summary>
    /// Makes every later <see cref="DisposeAsync"/> store nothing and throw nothing: it only waits for
    /// <paramref name="closing"/>, the close already under way. For an owner that has tried to store and close the log
    /// and reported what stayed buffered (the hosting package's shutdown), so that a container disposing the log
    /// afterwards does not retry against a store that is down and throw out of the host's dispose; a close that was
    /// still waiting on a slow store may finish meanwhile.
    /// </summary>
    internal void ReleaseAfterFailedClose(Task closing)
    {
        lock (_gate)
        {
            _releasedClose = closing;
        }
    }

    private void ValidateEvent(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            throw new ArgumentException("An event must not be empty: an empty line is not a JSON Lines record.", nameof(line));
        }

        if (line.Length > _options.MaxEventBytes)
        {
            throw new ArgumentException($"The event is {line.Length} bytes, more than MaxEventBytes ({_options.MaxEventBytes}).", nameof(line));
        }

        int newline = line.IndexOf((byte)'\n');
        if (newline >= 0)
        {
            throw new ArgumentException($"The event contains a newline (byte {newline}), which would split it into two events; encode it (JSON writes it as \\n inside strings).", nameof(line));
        }
    }

    private async Task AppendWhenFullAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken)
    {
        try
        {
            await _writer.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectStoreException e)
        {
            throw new AppendBufferFullException(BufferedBytes, e);
        }

        await AppendAsync(line, cancellationToken).ConfigureAwait(false);
    }

    private void CompactInBackground()
    {
        lock (_gate)
        {
            if (_closing || Interlocked.CompareExchange(ref _compacting, 1, 0) != 0)
            {
                return;
            }

            _backgroundCompaction = CompactQuietlyAsync(_options.AutoCompaction);
        }

        async Task CompactQuietlyAsync(CompactionPolicy? policy)
        {
            try
            {
                await Task.Yield(); // off the timer's thread, and out of the lock
                await ApplyRetentionAsync(_stopping.Token).ConfigureAwait(false);
                if (policy is not null)
                {
                    await CompactCoreAsync(policy, _stopping.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is ObjectStoreException or OperationCanceledException)
            {
                if (!_stopping.IsCancellationRequested)
                {
                    ObjectLogMetrics.CompactionFailures.Add(1, _tag);
                    _logger.LogWarning(e, "Background compaction of log '{Prefix}' failed; the next one, in {Interval}, retries. Readers see the same events either way.", _logPrefix, _options.AutoCompactionInterval);
                }
            }
            finally
            {
                Volatile.Write(ref _compacting, 0);
            }
        }
    }

    /// <summary>Trims at <c>now - Retention</c> once the latest cutoff is more than 1% of the retention behind it (see <see cref="AppendLogOptions.Retention"/>).</summary>
    private async Task ApplyRetentionAsync(CancellationToken cancellationToken)
    {
        if (_options.Retention == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        DateTimeOffset target = await _clock.NowAsync(cancellationToken).ConfigureAwait(false) - _options.Retention;
        DateTimeOffset? cutoff = await _trimmer.CutoffAsync(cancellationToken).ConfigureAwait(false);
        if (cutoff is null || target - cutoff.Value > _options.Retention / 100)
        {
            await _trimmer.TrimAsync(target, cancellationToken, countHidden: false).ConfigureAwait(false); // nobody reads the answer
        }
    }

    private void FlushInBackground()
    {
        if (Volatile.Read(ref _closing) || _writer.IsEmpty || Interlocked.CompareExchange(ref _flushingInBackground, 1, 0) != 0)
        {
            return;
        }

        _ = FlushQuietlyAsync();

        async Task FlushQuietlyAsync()
        {
            try
            {
                await _writer.FlushAsync(close: false, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Counted by the pipeline; the events stay buffered, and the next tick, flush or success retries them.
            }
            finally
            {
                Volatile.Write(ref _flushingInBackground, 0);
            }
        }
    }
}
