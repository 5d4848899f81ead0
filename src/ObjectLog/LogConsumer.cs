using System.Runtime.CompilerServices;
using ObjectLog.Internal;
using ObjectLog.Storage;

namespace ObjectLog;

/// <summary>
/// A named consumer of a log: it delivers events from where the last owner of its name committed, keeps its
/// checkpoint in the store, and lets one instance own its name at a time. Create one with
/// <see cref="AppendLog.CreateConsumer"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>State.</b> Each consumer name has one small object, <c>{prefix}_consumers/{name}.json</c>, holding both its
/// checkpoint (the last event handled, the newest batch handled and the batches handled whole around it) and its
/// lease (owner id, epoch, lease duration). Every write of it is a conditional update of the version the writer last
/// saw, so every commit renews the lease, and a takeover (which adds one to the epoch) makes every later write of the
/// previous owner fail: that owner is fenced. A fenced instance's commit never lands.
/// </para>
/// <para>
/// <b>Ownership.</b> The first <see cref="ReadAsync"/> takes the name: at once if nobody holds it (or the lease names
/// this instance's <see cref="OwnerId"/>), otherwise after waiting, reading the state every
/// <see cref="LogConsumerOptions.StandbyPollInterval"/>, until it has stayed unchanged for the lease duration it
/// names. The owner renews every third of <see cref="LogConsumerOptions.LeaseDuration"/> in the background, and
/// stops delivering (fenced) when it sees another instance's write, or when its last write that landed was sent a
/// lease duration ago. Expiry is judged from renewals seen in the store, each on its own clock, never by comparing two
/// machines' clocks: the assumption is only that clocks run at about the same rate. If they do not, two instances may
/// deliver the same events for a while; they still cannot both commit.
/// </para>
/// <para>
/// <b>Delivery is at least once.</b> An event counts as handled when the caller asks for the next one (the loop's
/// next iteration) or commits it. A new owner delivers every event after the last committed position, each batch
/// handled whole before it is skipped, so no event at or before a commit that returned is delivered again, and
/// events delivered after the last commit are delivered again after a takeover or a crash. The order is the tail's
/// (see <see cref="AppendLog.TailAsync"/>): a batch stored late, within <see cref="AppendLogOptions.TailLookBack"/>,
/// is delivered when it arrives, even after newer ones.
/// </para>
/// <para>
/// <b>Checkpoints.</b> <see cref="CommitAsync"/> commits explicitly; the policy commits, inside <see cref="ReadAsync"/>
/// before it fetches the next event, once <see cref="LogConsumerOptions.CheckpointEveryEvents"/> events were handled
/// or <see cref="LogConsumerOptions.CheckpointInterval"/> has passed since the last commit with something handled;
/// <see cref="DisposeAsync"/> commits every event handled, then releases the name.
/// </para>
/// </remarks>
public sealed class LogConsumer : IAsyncDisposable
{
    private readonly EventReader _reads;
    private readonly StoreClock _clock;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lookBack;
    private readonly LogConsumerOptions _options;
    private readonly ConsumerLease _lease;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<DeliveredBatch> _delivered = []; // since the last commit, in delivery order; guarded by _gate
    private LogPosition? _lastDelivered; // the event handed to the caller last; guarded by _gate
    private LogPosition? _handled; // the last event handled (its successor was asked for); guarded by _gate
    private string? _newestDelivered; // guarded by _gate
    private string? _newestHandled; // guarded by _gate
    private int _handledSinceCommit; // guarded by _gate
    private long _lastCommit; // TimeProvider timestamp; guarded by _gate
    private Task? _renewals;
    private int _reading;
    private int _disposed;

    internal LogConsumer(string name, string prefix, IObjectStore store, EventReader reads, StoreClock clock, AppendLogOptions logOptions, LogConsumerOptions? options)
    {
        LogConsumerOptions settings = options ?? new LogConsumerOptions();
        _options = new LogConsumerOptions
        {
            Start = settings.Start,
            LeaseDuration = settings.LeaseDuration,
            CheckpointEveryEvents = settings.CheckpointEveryEvents,
            CheckpointInterval = settings.CheckpointInterval,
            OwnerId = settings.OwnerId ?? $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}",
            StandbyPollInterval = settings.StandbyPollInterval ?? settings.LeaseDuration / 6,
            PollInterval = settings.PollInterval,
        };
        Name = name;
        _reads = reads;
        _clock = clock;
        _time = logOptions.TimeProvider;
        _lookBack = logOptions.TailLookBack;
        _lease = new ConsumerLease(store, name, ConsumerNames.Key(prefix, name), OwnerId, _options.LeaseDuration, _options.StandbyPollInterval!.Value, _time);
        ConsumerLagGauge.Register(this, new KeyValuePair<string, object?>("objectlog.prefix", prefix), new KeyValuePair<string, object?>("objectlog.consumer", name));
    }

    /// <summary>The consumer's name.</summary>
    public string Name { get; }

    /// <summary>How this instance names itself in the lease: <see cref="LogConsumerOptions.OwnerId"/>, or one made unique to it.</summary>
    public string OwnerId => _options.OwnerId!;

    /// <summary>
    /// The position last committed, by this instance or, once it owns the name, the one it started from (a time
    /// position for a start at a time or at the end); <see langword="null"/> before it owns the name, or while it
    /// starts from the beginning of the log.
    /// </summary>
    public LogPosition? CommittedPosition => _lease.Current?.Position;

    /// <summary>Whether this instance holds the name's lease now: it took it, has renewed it in time, and was not fenced.</summary>
    public bool IsOwner => _lease.IsOwner;

    /// <summary>
    /// While <see cref="ReadAsync"/> waits for the name, the <see cref="OwnerId"/> of the instance it found holding
    /// it, whose lease must run out before this one takes over; <see langword="null"/> when it is not waiting (before
    /// the first read of the state, and once it owns the name).
    /// </summary>
    public string? HeldBy => _lease.HeldBy;

    /// <summary>
    /// How far this instance's handling is behind what it has read: the time of the newest batch delivered minus the
    /// time of the newest batch handled (both as named, so on the store's clock); <see langword="null"/> until it has
    /// delivered an event. Published as the metric <c>objectlog.consumer.lag</c>.
    /// </summary>
    public TimeSpan? Lag
    {
        get
        {
            lock (_gate)
            {
                if (_newestDelivered is not { } seen)
                {
                    return null;
                }

                string? handled = _newestHandled ?? _lease.Current?.Newest;
                TimeSpan lag = handled is null ? TimeSpan.Zero : LogObjectName.TimeOf(seen) - LogObjectName.TimeOf(handled);
                return lag > TimeSpan.Zero ? lag : TimeSpan.Zero;
            }
        }
    }

    /// <summary>The epoch this instance holds the lease at (for tests and diagnostics); 0 before it owns the name.</summary>
    internal long Epoch => _lease.Current?.Epoch ?? 0;

    /// <summary>
    /// Takes ownership of the name (waiting while another instance holds it), then delivers the events after the
    /// committed position (or from the configured <see cref="LogConsumerOptions.Start"/> the first time the name is
    /// used) and waits for new ones, as a tail does. Only one read of a consumer may run at a time; a later read after
    /// one ended continues after the last commit.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for ownership or for events.</param>
    /// <exception cref="InvalidOperationException">Another read of this consumer is running.</exception>
    /// <exception cref="ConsumerFencedException">This instance lost the name; events delivered since its last commit will be delivered again to the new owner.</exception>
    /// <exception cref="CorruptObjectException">The consumer's state object is damaged; the message names its key. Nothing is written over it.</exception>
    /// <exception cref="ObjectDisposedException">The consumer is disposed.</exception>
    public IAsyncEnumerable<LogEvent> ReadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return ReadCoreAsync(cancellationToken);
    }

    private async IAsyncEnumerable<LogEvent> ReadCoreAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _reading, 1) != 0)
        {
            throw new InvalidOperationException($"Consumer '{Name}' is already being read; only one ReadAsync of a consumer may run at a time.");
        }

        try
        {
            if (_lease.IsFenced)
            {
                _lease.ThrowIfNotOwner(); // a fenced instance stays fenced: a new owner needs a new consumer object
            }

            ConsumerState state = _lease.Current is { } owned && _lease.IsOwner
                ? owned
                : await _lease.AcquireAsync(ResolveStartAsync, cancellationToken).ConfigureAwait(false);
            _renewals ??= RenewAsync(_stop.Token);
            lock (_gate)
            {
                _delivered.Clear();
                (_lastDelivered, _handled, _handledSinceCommit, _lastCommit) = (null, null, 0, _time.GetTimestamp());
            }

            using var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lease.Fenced);
            IAsyncEnumerable<LogEvent> events = state.Position switch
            {
                null => _reads.TailAsync(null, _options.PollInterval, stopped.Token),
                { IsTime: true } time => _reads.TailAsync(time, _options.PollInterval, stopped.Token),
                { } position when state.Newest is { } newest => _reads.ResumeAsync(position, state.Handled.Clone(), newest, _options.PollInterval, stopped.Token),
                { } position => _reads.TailAsync(position, _options.PollInterval, stopped.Token), // reset to a position: at least once from it
            };

            IAsyncEnumerator<LogEvent> enumerator = events.GetAsyncEnumerator(stopped.Token);
            await using (enumerator.ConfigureAwait(false))
            {
                while (true)
                {
                    if (MarkHandled() is { } due)
                    {
                        await CommitCoreAsync(due, cancellationToken).ConfigureAwait(false);
                    }

                    _lease.ThrowIfNotOwner();
                    bool more;
                    try
                    {
                        more = await enumerator.MoveNextAsync().ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (_lease.IsFenced && !cancellationToken.IsCancellationRequested)
                    {
                        _lease.ThrowIfNotOwner(); // throws: fenced
                        throw;
                    }

                    if (!more)
                    {
                        yield break;
                    }

                    _lease.ThrowIfNotOwner(); // no delivery once the lease may have passed to another instance
                    LogEvent e = enumerator.Current;
                    Delivered(e.Position);
                    yield return e;
                }
            }
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }

    /// <summary>
    /// Commits <paramref name="position"/>, an event this instance delivered: it and everything delivered before it
    /// are handled, and a later owner continues after it. A position at or before the last commit changes nothing.
    /// Returns once the checkpoint is stored (which also renews the lease).
    /// </summary>
    /// <param name="position">An event delivered by this instance's current <see cref="ReadAsync"/>.</param>
    /// <param name="cancellationToken">Stops waiting; a write already sent may still land (the next write settles it).</param>
    /// <exception cref="ArgumentException"><paramref name="position"/> was not delivered by this instance.</exception>
    /// <exception cref="ConsumerFencedException">This instance no longer owns the name; the checkpoint did not land.</exception>
    /// <exception cref="ObjectStoreException">The store kept failing; the checkpoint may not have landed, and a later commit covers it.</exception>
    public Task CommitAsync(LogPosition position, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return CommitCoreAsync(position, cancellationToken);
    }

    /// <summary>
    /// Commits what the policy owes (every event handled: those whose successor was asked for) and releases the name,
    /// unless this instance was fenced. Failures are not thrown: an uncommitted event is delivered again, and a lease
    /// not released expires. Calling it again does nothing.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        ConsumerLagGauge.Unregister(this);
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_renewals is { } renewals)
        {
            await renewals.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        LogPosition? owed;
        lock (_gate)
        {
            owed = _handled;
        }

        if (owed is { } p && _lease.IsOwner)
        {
            try
            {
                await CommitCoreAsync(p, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ConsumerFencedException or ObjectStoreException)
            {
                // Delivered again by the next owner: at least once.
            }
        }

        await _lease.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
        _lease.Dispose();
        _stop.Dispose();
    }

    private async ValueTask<LogPosition?> ResolveStartAsync(CancellationToken cancellationToken)
        => _options.Start.Resolve(await _clock.NowAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>Records that <paramref name="position"/> is handed to the caller.</summary>
    private void Delivered(LogPosition position)
    {
        lock (_gate)
        {
            if (_delivered.Count == 0 || _delivered[^1].Batch != position.Batch)
            {
                _delivered.Add(new DeliveredBatch(position.Batch, position.Line, position.Line));
            }
            else
            {
                _delivered[^1] = _delivered[^1] with { LastLine = position.Line };
            }

            _lastDelivered = position;
            _newestDelivered = Newer(_newestDelivered, position.Batch);
        }
    }

    /// <summary>The caller asked for the next event: the one delivered last is handled. Returns the position to commit if the policy says so.</summary>
    private LogPosition? MarkHandled()
    {
        lock (_gate)
        {
            if (_lastDelivered is not { } last || _handled == last)
            {
                return null;
            }

            _handled = last;
            _newestHandled = Newer(_newestHandled, last.Batch);
            _handledSinceCommit++;
            bool byCount = _options.CheckpointEveryEvents > 0 && _handledSinceCommit >= _options.CheckpointEveryEvents;
            bool byTime = _options.CheckpointInterval != Timeout.InfiniteTimeSpan && _time.GetElapsedTime(_lastCommit) >= _options.CheckpointInterval;
            return byCount || byTime ? last : null;
        }
    }

    private async Task CommitCoreAsync(LogPosition position, CancellationToken cancellationToken)
    {
        if (_lease.Current is null)
        {
            throw new ArgumentException($"{position} was not delivered by this instance of consumer '{Name}': it has delivered nothing.", nameof(position));
        }

        await _lease.WriteAsync(current => Advance(current, position), cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            int at = _delivered.FindIndex(d => d.Batch == position.Batch);
            if (at > 0)
            {
                _delivered.RemoveRange(0, at); // handled whole and committed; the position's own batch may go on
            }

            _handledSinceCommit = 0;
            _lastCommit = _time.GetTimestamp();
        }
    }

    /// <summary>
    /// The state after committing <paramref name="position"/>: the batches delivered whole before its batch join the
    /// handled ones, the newest batch handled moves up, and runs no resumed tail lists again are forgotten.
    /// <see langword="null"/> if <paramref name="position"/> is already committed.
    /// </summary>
    private ConsumerState? Advance(ConsumerState current, LogPosition position)
    {
        if (current.Position is { IsTime: false } committed
            && ((position.Batch == committed.Batch && position.Line <= committed.Line) || current.Handled.Contains(position.Batch)))
        {
            return null;
        }

        lock (_gate)
        {
            int at = _delivered.FindIndex(d => d.Batch == position.Batch && d.FirstLine <= position.Line && position.Line <= d.LastLine);
            if (at < 0)
            {
                throw new ArgumentException($"{position} was not delivered by this instance of consumer '{Name}' since its last commit.", nameof(position));
            }

            HandledBatches handled = current.Handled.Clone();
            string newest = Newer(current.Newest, position.Batch)!;
            for (int i = 0; i < at; i++)
            {
                handled.Add(_delivered[i].Batch);
                newest = Newer(newest, _delivered[i].Batch)!;
            }

            // The batch of the committed position was handled up to it; its rest, if any, was delivered with the others
            // above, and the tail read it (yielding nothing when the position was its last event) before any later
            // name of the same listing. A batch named before it that is committed first may have come before its rest
            // in the same listing: then it stays out, and its events up to the position may come again (at least once).
            if (current.Position is { IsTime: false } c && c.Batch != position.Batch
                && !handled.Contains(c.Batch)
                && (_delivered.FindIndex(0, at, d => d.Batch == c.Batch) >= 0
                    || (!_delivered.Exists(d => d.Batch == c.Batch) && string.CompareOrdinal(position.Batch, c.Batch) > 0)))
            {
                handled.Add(c.Batch);
            }

            handled.ForgetBefore(LogObjectName.TimeOf(newest) - _lookBack - StoreClock.NameBound - StoreClock.NameBound); // as ConsumerState.NeedsFrom
            return current with { Position = position, Newest = newest, Handled = handled, CommittedAt = _time.GetUtcNow() };
        }
    }

    /// <summary>Renews the lease every third of its duration while this instance owns the name.</summary>
    /// <remarks>
    /// A renewal is also when the time policy is kept while the caller waits for events: if events were handled and
    /// <see cref="LogConsumerOptions.CheckpointInterval"/> has passed since the last commit, the renewal commits them.
    /// </remarks>
    private async Task RenewAsync(CancellationToken stop)
    {
        while (!_lease.IsFenced)
        {
            await Task.Delay(_lease.RenewInterval, _time, stop).ConfigureAwait(false);
            try
            {
                if (OwedByTime() is { } owed)
                {
                    await CommitCoreAsync(owed, stop).ConfigureAwait(false);
                }
                else
                {
                    await _lease.WriteAsync(static state => state, stop).ConfigureAwait(false);
                }
            }
            catch (ObjectStoreException)
            {
                // Tried again at the next interval; if none lands for a lease duration, the lease fences this instance.
            }
            catch (ArgumentException)
            {
                // A read started again meanwhile and forgot what the last one delivered: nothing is owed any more.
            }
            catch (ConsumerFencedException)
            {
                return;
            }
        }
    }

    /// <summary>What the time policy owes: the last event handled, if any is uncommitted and the interval has passed.</summary>
    private LogPosition? OwedByTime()
    {
        lock (_gate)
        {
            return _handled is { } handled && _handledSinceCommit > 0
                && _options.CheckpointInterval != Timeout.InfiniteTimeSpan && _time.GetElapsedTime(_lastCommit) >= _options.CheckpointInterval
                ? handled
                : null;
        }
    }

    private static string? Newer(string? a, string b) => a is null || string.CompareOrdinal(b, a) > 0 ? b : a;

    /// <summary>A batch delivered since the last commit, from <paramref name="FirstLine"/> to <paramref name="LastLine"/>.</summary>
    private readonly record struct DeliveredBatch(string Batch, int FirstLine, int LastLine);
}
