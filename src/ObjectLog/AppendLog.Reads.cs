using ObjectLog.Internal;

namespace ObjectLog;

// The log's reads and tails, each handed to its EventReader (the class's documentation is in AppendLog.cs).
public sealed partial class AppendLog
{
    /// <summary>
    /// Reads the whole log: every batch stored before the call began and this writer's batches not yet stored,
    /// in log order (by name: the unstored ones are this writer's newest, so they usually come last), each exactly
    /// once. A compaction running at the same time does not change the result.
    /// </summary>
    /// <exception cref="CorruptObjectException">A log object is truncated or otherwise unsound; the message names its key.</exception>
    public Task<IReadOnlyList<byte[]>> ReadAllAsync(CancellationToken cancellationToken = default) => _reads.ReadAllAsync(cancellationToken);

    /// <summary>
    /// Streams the log in the order and with the guarantees of <see cref="ReadAllAsync"/>, holding a bounded amount
    /// in memory: up to <see cref="AppendLogOptions.ReadConcurrency"/> objects (or parts of large ones) and
    /// <see cref="AppendLogOptions.ReadAheadBytes"/> are fetched ahead.
    /// </summary>
    public IAsyncEnumerable<byte[]> ReadAsync(CancellationToken cancellationToken = default) => _reads.ReadAsync(cancellationToken);

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
    public Task<IReadOnlyList<LogEvent>> ReadLastAsync(int count, CancellationToken cancellationToken = default) => _reads.ReadLastAsync(count, cancellationToken);

    /// <summary>
    /// <see cref="ReadLastAsync(int, CancellationToken)"/>, and the names of the batches the listing held from
    /// <paramref name="recentWindow"/> before its newest on (for a tail that follows on from these events).
    /// </summary>
    internal Task<LastEvents> ReadLastAsync(int count, TimeSpan? recentWindow, CancellationToken cancellationToken)
        => _reads.ReadLastAsync(count, recentWindow, cancellationToken);

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
    public IAsyncEnumerable<LogEvent> ReadEventsAsync(LogPosition? after = null, CancellationToken cancellationToken = default)
        => _reads.ReadEventsAsync(after, cancellationToken);

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
        => _reads.ReadEventsAsync(from, until, cancellationToken);

    /// <summary>
    /// Streams the stored events (not this writer's buffer) of every batch whose time is in [<paramref name="from"/>,
    /// <paramref name="until"/>), newest first: the reverse of
    /// <see cref="ReadEventsAsync(DateTimeOffset, DateTimeOffset?, CancellationToken)"/>, for a viewer that shows the
    /// newest events and pages back. Given <paramref name="before"/>, only the events before it in log order come (the
    /// next page after the oldest event shown). It lists the log from <paramref name="from"/> on, then fetches from the
    /// newest object backwards in rounds that grow as the caller reads on, so stopping after a page costs about a page
    /// of GETs; merged objects are read by byte range, a manifest's batches at a time. A compaction running at the same
    /// time does not change the result.
    /// </summary>
    /// <param name="from">The earliest batch time to return.</param>
    /// <param name="until">The batch time to stop before; <see langword="null"/> for no end.</param>
    /// <param name="before">Return only events before this position; <see langword="null"/> (or the default position) for no bound.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ArgumentException"><paramref name="until"/> is before <paramref name="from"/>.</exception>
    /// <exception cref="CorruptObjectException">An object holding some of the events read is truncated or otherwise unsound; the message names its key.</exception>
    public IAsyncEnumerable<LogEvent> ReadEventsBackwardAsync(DateTimeOffset from, DateTimeOffset? until = null, LogPosition? before = null, CancellationToken cancellationToken = default)
        => _reads.ReadEventsBackwardAsync(from, until, before, cancellationToken);

    /// <summary>
    /// Follows the log: returns the stored events after <paramref name="after"/> (or from the start), then waits
    /// and returns new ones as writers store them, until cancelled. It lists the log again after each wait (see the
    /// remarks) and returns each batch it has not returned yet, including batches that arrive late
    /// with names that sort before ones already returned (up to <see cref="AppendLogOptions.TailLookBack"/>), so
    /// events may come out of log order but each comes once. Compaction does not disturb it. Each poll lists from
    /// the look-back floor, so an idle tail costs what is new since the floor, not what the log holds. The floor
    /// follows the newest batch returned, held to the store's clock (plus the 30 seconds a writer's names may run
    /// ahead of it), so one batch named far in the future does not blind the tail to everyone else's.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The wait between polls adapts: <see cref="AppendLogOptions.TailActivePollInterval"/> (default 50 ms) after a
    /// poll that returned events and for one second after the last such poll; then it doubles after each empty poll
    /// up to <see cref="AppendLogOptions.TailPollInterval"/> (default 1 s), where an idle tail stays: at most one LIST
    /// a second, and a tail starts there. So an event stored while events flow is found within about the lower bound
    /// plus a round trip, and the first event after a quiet spell within about the idle bound.
    /// </para>
    /// <para>
    /// When any <see cref="AppendLog"/> in this process stores a batch under the same prefix of the same store object
    /// (the one passed to the constructor, by reference), the tail polls at once instead of finishing its wait. This
    /// reaches only this process: tails elsewhere, or over another store object (even one wrapping the same bucket),
    /// find the batch at their next poll.
    /// </para>
    /// </remarks>
    /// <param name="after">
    /// Where to resume, at least once: the events after it in its own batch, and every other batch from
    /// <see cref="AppendLogOptions.TailLookBack"/> before its batch's time on, including those that sort before it.
    /// A batch that sorts before a saved position can still be stored after the position was saved (another writer's
    /// PUT that took a while); looking back returns it, at the price of returning again the batches of that minute
    /// that came before the position. A position from <see cref="LogPosition.Before"/> is a time: the tail starts
    /// exactly there.
    /// </param>
    /// <param name="cancellationToken">Ends the tail (with <see cref="OperationCanceledException"/>).</param>
    public IAsyncEnumerable<LogEvent> TailAsync(LogPosition? after = null, CancellationToken cancellationToken = default)
        => _reads.TailAsync(after, cancellationToken);

    /// <summary>The stored events, then this writer's buffer, a block at a time; a block is valid until the next step.</summary>
    internal IAsyncEnumerable<List<PlannedEvent>> ReadBlocksAsync(CancellationToken cancellationToken) => _reads.ReadBlocksAsync(cancellationToken);

    /// <summary>Creates a named consumer of this log (see <see cref="LogConsumer"/>); it takes ownership when it first reads.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a consumer name: 1 to 100 ASCII letters, digits, '-', '_' and '.', not starting with '.'.</exception>
    /// <exception cref="NotSupportedException">The store cannot replace an object conditionally (<see cref="Storage.IObjectStore.SupportsConditionalUpdate"/>), so ownership could not be kept.</exception>
    public LogConsumer CreateConsumer(string name, LogConsumerOptions? options = null)
    {
        ConsumerNames.Validate(name);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_store.SupportsConditionalUpdate)
        {
            string store = (_store is Storage.MeteredObjectStore metered ? metered.Inner : _store).GetType().Name;
            throw new NotSupportedException($"Consumer '{name}' cannot run on {store}: a consumer keeps its checkpoint and its single owner with conditional writes (replace only if unchanged), which this store does not support (s3rver, for one, ignores them). Use a store that does: S3, Azure Blob Storage, the file system or memory.");
        }

        return new LogConsumer(name, _logPrefix, _store, _reads, _clock, _settings, options);
    }

    /// <summary>
    /// Reads every named consumer's state (its <c>{prefix}_consumers/{name}.json</c> object), in name order, with how
    /// far it is behind the newest stored batch: one LIST of the consumers, one GET each, and one LIST of the log (no
    /// log data is read). A state object deleted while it runs is left out.
    /// </summary>
    /// <remarks>
    /// <see cref="ConsumerInfo.Lag"/> is known whenever the log holds a batch. <see cref="ConsumerInfo.EventsBehind"/>
    /// is only given where it costs nothing: 0 when the log is empty, or when the consumer's position is a time after
    /// the newest stored batch; counting more would mean reading everything after each position.
    /// </remarks>
    /// <exception cref="CorruptObjectException">
    /// A state object is damaged (not a consumer state this version reads, or another consumer's); the message names
    /// its key. The whole listing fails rather than hide that consumer: repair the object or reset the consumer with
    /// force (see docs/format.md, "Named consumers").
    /// </exception>
    /// <exception cref="NotSupportedException">The store cannot read an object with its version (<see cref="Storage.IObjectStore.SupportsConditionalUpdate"/>).</exception>
    public Task<IReadOnlyList<ConsumerInfo>> ListConsumersAsync(CancellationToken cancellationToken = default) => _consumers.ListAsync(cancellationToken);

    /// <summary>
    /// Moves a consumer to a start: the beginning of the log, its end (the store's time now: only events stored from
    /// then on), or a time. Its handled batches are forgotten. A consumer with no state yet gets one there, so it
    /// starts there whatever its options say. The write is a conditional update of the state just read: a commit that
    /// races the reset is never silently overwritten (the reset reads again and judges the new state).
    /// </summary>
    /// <param name="name">The consumer's name.</param>
    /// <param name="to">Where it starts over.</param>
    /// <param name="force">
    /// Reset it even while an instance owns it (its lease, judged on the store's clock, has not expired). The reset
    /// releases the lease and moves the epoch on, which fences that owner: its next commit fails with
    /// <see cref="ConsumerFencedException"/>, and its reads stop.
    /// </param>
    /// <param name="cancellationToken">Cancels the reset; one cancelled after its write was sent may have taken effect.</param>
    /// <returns>The consumer's new state.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="to"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a consumer name: 1 to 100 ASCII letters, digits, '-', '_' and '.', not starting with '.'.</exception>
    /// <exception cref="InvalidOperationException">An instance owns it and <paramref name="force"/> is not set (the message names the owner and when its lease expires); nothing was written.</exception>
    /// <exception cref="CorruptObjectException">Its state object is damaged and <paramref name="force"/> is not set; nothing was written.</exception>
    /// <exception cref="NotSupportedException">The store cannot replace an object conditionally (<see cref="Storage.IObjectStore.SupportsConditionalUpdate"/>).</exception>
    public async Task<ConsumerInfo> ResetConsumerAsync(string name, LogConsumerStart to, bool force = false, CancellationToken cancellationToken = default)
    {
        ConsumerNames.Validate(name);
        ArgumentNullException.ThrowIfNull(to);
        LogPosition? position = to.Resolve(to.IsEnd ? await _clock.NowAsync(cancellationToken).ConfigureAwait(false) : default);
        return await _consumers.ResetAsync(name, position, force, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves a consumer to just after <paramref name="to"/>, an event in the log: it resumes, at least once, with the
    /// events after it (a tail's look-back may return again the batches of that minute before it). Its handled
    /// batches are forgotten. Otherwise as <see cref="ResetConsumerAsync(string, LogConsumerStart, bool, CancellationToken)"/>.
    /// </summary>
    /// <param name="name">The consumer's name.</param>
    /// <param name="to">
    /// An event the log holds now: its batch is read to check (trimmed events are not held). A time made by
    /// <see cref="LogPosition.Before"/> is taken as that time, unchecked.
    /// </param>
    /// <param name="force">See <see cref="ResetConsumerAsync(string, LogConsumerStart, bool, CancellationToken)"/>.</param>
    /// <param name="cancellationToken">Cancels the reset; one cancelled after its write was sent may have taken effect.</param>
    /// <returns>The consumer's new state.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a consumer name, or <paramref name="to"/> is not an event of the log; nothing was written.</exception>
    /// <exception cref="InvalidOperationException">An instance owns it and <paramref name="force"/> is not set (the message names the owner and when its lease expires); nothing was written.</exception>
    /// <exception cref="CorruptObjectException">Its state object is damaged and <paramref name="force"/> is not set; nothing was written.</exception>
    /// <exception cref="NotSupportedException">The store cannot replace an object conditionally (<see cref="Storage.IObjectStore.SupportsConditionalUpdate"/>).</exception>
    public async Task<ConsumerInfo> ResetConsumerAsync(string name, LogPosition to, bool force = false, CancellationToken cancellationToken = default)
    {
        ConsumerNames.Validate(name);
        if (to.Batch is null)
        {
            throw new ArgumentException("The position is empty (default(LogPosition)): give an event's position, or reset to the beginning.", nameof(to));
        }

        if (!to.IsTime && !await _consumers.HoldsAsync(to, cancellationToken).ConfigureAwait(false))
        {
            throw new ArgumentException($"The position {to} is not in the log: no event is stored there (its batch is not stored, was trimmed, or holds fewer lines). Nothing was written.", nameof(to));
        }

        return await _consumers.ResetAsync(name, to, force, cancellationToken).ConfigureAwait(false);
    }
}
