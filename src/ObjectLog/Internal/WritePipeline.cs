using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>What <see cref="WritePipeline.TryAppend"/> did with an event.</summary>
internal enum AppendOutcome
{
    /// <summary>The event is in the open batch.</summary>
    Appended,

    /// <summary>The event is in a batch it just sealed; storing that batch has started.</summary>
    Sealed,

    /// <summary>The buffer is full; the event was not taken.</summary>
    Full,

    /// <summary>The pipeline is closing; the event was not taken.</summary>
    Closed,
}

/// <summary>
/// The write side of an <see cref="AppendLog"/>: the open batch, the sealed batches not yet stored, and up to
/// <see cref="AppendLogOptions.MaxConcurrentPuts"/> PUTs of them in flight.
/// </summary>
/// <remarks>
/// <para>
/// Invariants. A batch gets its name when its first event arrives, and its sequence when it is sealed; names and
/// sequences grow together, so name order is append order. Sealed batches stay in <c>_queue</c>, in sequence
/// order, until their PUT succeeds; "stored through n" means no queued batch has a sequence at or below n, so a
/// waiter never completes while an earlier batch is missing, whatever order the PUTs land in. A batch's bytes and
/// name are fixed from its first attempt: a retry after any failure sends the same bytes under the same name, so
/// an ambiguous failure cannot duplicate (create-only stores answer "exists"; overwriting stores rewrite the same
/// bytes).
/// </para>
/// <para>
/// Coalescing. Batches sealed while every slot is busy wait as <see cref="BatchState.Queued"/>; when a slot frees,
/// the first of them absorbs the never-attempted ones after it (up to <see cref="AppendLogOptions.FlushThresholdBytes"/>)
/// and goes as one object under its own name. A batch a reader has copied (see <see cref="CopyUnstored"/>) is never
/// absorbed by an earlier one, since the reader would then find its events in the stored earlier object and in
/// its copy: absorbed batches must have a sequence above <c>_readBarrier</c>.
/// </para>
/// <para>
/// Failures. A failed PUT marks its batch <see cref="BatchState.Failed"/>, counts the failure, and fails every
/// waiter that needs it and came before that attempt started; a waiter that came later gets an attempt of its own
/// first, so a flush throws only when an attempt made on its behalf fails. The batch is retried when a flush needs it and after any later PUT succeeds (the store is
/// answering again); later batches keep going meanwhile: readers order by name, and tails take late batches.
/// </para>
/// </remarks>
internal sealed class WritePipeline
{
    private const int InitialBatchCapacity = 16 * 1024;

    private readonly IObjectStore _store;
    private readonly string _logPrefix;
    private readonly AppendLogOptions _options;
    private readonly KeyValuePair<string, object?> _tag;
    private readonly BatchNameGenerator _names;
    private readonly StoreClock _clock;
    private readonly ILogger _logger;

    /// <summary>
    /// Create-only where the store enforces it, as defence in depth: names are unique by construction, so where it
    /// would only be emulated (check, then write: a second request per batch) a plain put is just as correct.
    /// </summary>
    private readonly PutMode _writeMode;
    private readonly Lock _gate = new();
    private readonly List<SealedBatch> _queue = [];
    private readonly List<Waiter> _waiters = [];
    private EventBuffer _open = new(InitialBatchCapacity);
    private string? _openName;
    private long _bufferedBytes;
    private long _sealed;
    private long _readBarrier;
    private int _inFlight;
    private long _attempts;
    private bool _closed;
    private bool _namesChecked;
    private Exception? _lastFailure;

    public WritePipeline(IObjectStore store, string logPrefix, AppendLogOptions options, StoreClock clock, KeyValuePair<string, object?> tag, ILogger logger)
    {
        _clock = clock;
        _logger = logger;
        _store = store;
        _logPrefix = logPrefix;
        _options = options;
        _tag = tag;
        _names = new BatchNameGenerator(clock);
        _writeMode = store.SupportsCreateOnly ? PutMode.Create : PutMode.Overwrite;
    }

    /// <summary>The mode batch PUTs use; compaction writes the same way.</summary>
    public PutMode WriteMode => _writeMode;

    /// <summary>Bytes appended but not yet stored: the open batch plus every sealed batch not yet stored.</summary>
    public long BufferedBytes
    {
        get
        {
            lock (_gate)
            {
                return _bufferedBytes;
            }
        }
    }

    /// <summary>Events appended but not yet stored: the open batch plus every sealed batch not yet stored.</summary>
    public long BufferedEvents
    {
        get
        {
            lock (_gate)
            {
                long events = _open.Count;
                foreach (SealedBatch batch in _queue)
                {
                    events += batch.Events.Count;
                }

                return events;
            }
        }
    }

    /// <summary>What the batch PUT that finished last threw, or <see langword="null"/> if it succeeded (or none has finished).</summary>
    public Exception? LastFailure
    {
        get
        {
            lock (_gate)
            {
                return _lastFailure;
            }
        }
    }

    /// <summary>Whether nothing is buffered at all.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _open.Count == 0 && _queue.Count == 0;
            }
        }
    }

    /// <summary>Appends a validated event; if it fills the batch, seals it and starts storing it.</summary>
    /// <param name="line">The event.</param>
    /// <param name="sealedThrough">With <see cref="AppendOutcome.Sealed"/>, the sequence to wait for to know the event is stored.</param>
    /// <param name="attemptsBefore">With <see cref="AppendOutcome.Sealed"/>, what to pass to <see cref="WaitStoredAsync"/>, so the attempt this call started counts as the waiter's own.</param>
    public AppendOutcome TryAppend(ReadOnlySpan<byte> line, out long sealedThrough, out long attemptsBefore)
    {
        sealedThrough = 0;
        attemptsBefore = 0;
        List<SealedBatch>? start;
        lock (_gate)
        {
            if (_closed)
            {
                return AppendOutcome.Closed;
            }

            int size = line.Length + 1;
            if (_bufferedBytes > 0 && _bufferedBytes + size > _options.MaxBufferedBytes)
            {
                return AppendOutcome.Full;
            }

            if (_open.Count == 0)
            {
                _openName = _names.Next();
            }

            _open.Append(line);
            _bufferedBytes += size;
            if (_open.Count < _options.FlushThreshold && _open.Length < _options.FlushThresholdBytes)
            {
                return AppendOutcome.Appended;
            }

            sealedThrough = SealLocked();
            attemptsBefore = _attempts;
            start = DispatchLocked();
        }

        Start(start);
        return AppendOutcome.Sealed;
    }

    /// <summary>Seals the open batch and completes once everything appended before the call is stored; with <paramref name="close"/>, refuses appends from now on.</summary>
    /// <exception cref="Exception">Whatever the store threw for a batch this flush needs; the batch stays buffered.</exception>
    public Task FlushAsync(bool close, CancellationToken cancellationToken)
    {
        long through;
        lock (_gate)
        {
            _closed |= close;
            if (_open.Count > 0)
            {
                SealLocked();
            }

            through = _sealed;
        }

        return WaitStoredAsync(through, attemptsBefore: null, cancellationToken);
    }

    /// <summary>
    /// Completes once every batch sealed at or before <paramref name="through"/> is stored, retrying those that
    /// failed; fails if an attempt made after <paramref name="attemptsBefore"/> (by default: after this call) fails.
    /// </summary>
    public Task WaitStoredAsync(long through, long? attemptsBefore, CancellationToken cancellationToken)
    {
        Waiter waiter;
        List<SealedBatch>? start;
        lock (_gate)
        {
            if (StoredThroughLocked(through))
            {
                return Task.CompletedTask;
            }

            foreach (SealedBatch b in _queue)
            {
                if (b.Sequence > through)
                {
                    break;
                }

                if (b.State == BatchState.Failed)
                {
                    b.State = BatchState.Retry;
                }
            }

            waiter = new Waiter(through, attemptsBefore ?? _attempts);
            _waiters.Add(waiter);
            start = DispatchLocked();
        }

        Start(start);
        return waiter.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Completes once the oldest batch not yet stored is stored (sealing the open batch if it is the only one), so
    /// a full buffer has room again while the PUTs after it stay in flight.
    /// </summary>
    /// <exception cref="Exception">Whatever the store threw for an attempt made for this wait.</exception>
    public Task WaitForRoomAsync(CancellationToken cancellationToken)
    {
        long through;
        lock (_gate)
        {
            if (_queue.Count == 0)
            {
                if (_open.Count == 0)
                {
                    return Task.CompletedTask;
                }

                SealLocked();
            }

            through = _queue[0].LastSequence;
        }

        return WaitStoredAsync(through, attemptsBefore: null, cancellationToken);
    }

    /// <summary>
    /// <see cref="CopyUnstored"/>, once the names given before the store's clock was known are checked against it:
    /// a reader must only ever see a batch under its final name.
    /// </summary>
    public async ValueTask<List<PendingBatch>> CopyUnstoredAsync(CancellationToken cancellationToken)
    {
        if (!Volatile.Read(ref _namesChecked) && !IsEmpty)
        {
            await CheckNamesAsync(cancellationToken).ConfigureAwait(false);
        }

        return CopyUnstored();
    }

    /// <summary>
    /// Copies every batch not known to be stored, the open one included (it already has its name), for a read.
    /// From now on no copied batch is absorbed into an earlier one (see the remarks on coalescing).
    /// </summary>
    public List<PendingBatch> CopyUnstored()
    {
        lock (_gate)
        {
            var copies = new List<PendingBatch>(_queue.Count + 1);
            foreach (SealedBatch b in _queue)
            {
                copies.Add(new PendingBatch(b.Name, b.Events.Memory.ToArray()));
            }

            if (_open.Count > 0)
            {
                copies.Add(new PendingBatch(_openName!, _open.Memory.ToArray()));
            }

            _readBarrier = _sealed + (_open.Count > 0 ? 1 : 0);
            return copies;
        }
    }

    /// <summary>
    /// Reads the store's clock if it was never read, then, once, renames the batches named before it was known if any
    /// of those names is off it by more than <see cref="StoreClock.NameBound"/> (a machine whose clock is hours off):
    /// all of them, in order, so the writer's order holds. Every PUT's first attempt and every read of unstored
    /// batches waits for this, so a name is never changed after a store or a reader saw it.
    /// </summary>
    private async Task CheckNamesAsync(CancellationToken cancellationToken)
    {
        if (!_clock.IsCalibrated)
        {
            await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            if (!_namesChecked)
            {
                RenameIfOffLocked();

                // Last, so that a PUT that sees it set (without the lock) sees every name final.
                Volatile.Write(ref _namesChecked, true);
            }
        }
    }

    private void RenameIfOffLocked()
    {
        bool offBound = _queue.Exists(b => _names.IsOutOfBound(b.Name)) || (_open.Count > 0 && _names.IsOutOfBound(_openName!));
        if (!offBound)
        {
            return;
        }

        bool renameable = _queue.TrueForAll(b => b.Stored is null && b.Sequence > _readBarrier) && (_open.Count == 0 || _readBarrier <= _sealed);
        if (!renameable)
        {
            _logger.LogWarning("Batches of log '{Prefix}' were named by a clock far off the store's before it could be read; they keep their names.", _logPrefix);
            return;
        }

        _names.Restart();
        foreach (SealedBatch b in _queue)
        {
            b.Name = _names.Next();
        }

        if (_open.Count > 0)
        {
            _openName = _names.Next();
        }
    }

    private bool StoredThroughLocked(long through) => _queue.Count == 0 || _queue[0].Sequence > through;

    /// <summary>Closes the open batch: its name and sequence are final.</summary>
    private long SealLocked()
    {
        long sequence = ++_sealed;
        var batch = new SealedBatch(_openName!, sequence, sequence, _open);
        _queue.Add(batch);

        // Size the next batch like this one, so a steady stream never regrows (and recopies) its buffer.
        long next = batch.Events.Length + (batch.Events.Length / 8L);
        long most = Math.Min((long)_options.FlushThresholdBytes + _options.MaxEventBytes + 1, Array.MaxLength);
        _open = new EventBuffer((int)Math.Clamp(next, InitialBatchCapacity, Math.Max(most, InitialBatchCapacity)));
        _openName = null;
        ObjectLogMetrics.PendingBytes.Add(batch.Events.Length, _tag);
        return sequence;
    }

    /// <summary>Claims free slots for the first batches that may go, absorbing queued followers into queued batches.</summary>
    private List<SealedBatch>? DispatchLocked()
    {
        List<SealedBatch>? start = null;
        for (int i = 0; i < _queue.Count && _inFlight < _options.MaxConcurrentPuts; i++)
        {
            SealedBatch batch = _queue[i];
            if (batch.State is BatchState.InFlight or BatchState.Failed)
            {
                continue;
            }

            if (batch.State == BatchState.Queued)
            {
                batch = CoalesceLocked(i);
            }

            batch.State = BatchState.InFlight;
            batch.Attempt = ++_attempts;
            _inFlight++;
            (start ??= []).Add(batch);
        }

        return start;
    }

    /// <summary>Joins the never-attempted batches right after <c>_queue[index]</c> into it, within the batch byte limit.</summary>
    private SealedBatch CoalesceLocked(int index)
    {
        SealedBatch first = _queue[index];
        long bytes = first.Events.Length;
        long last = first.LastSequence;
        int end = index + 1;
        while (end < _queue.Count)
        {
            SealedBatch next = _queue[end];
            if (next.State != BatchState.Queued || next.Sequence != last + 1 || next.Sequence <= _readBarrier || bytes + next.Events.Length > _options.FlushThresholdBytes)
            {
                break;
            }

            bytes += next.Events.Length;
            last = next.LastSequence;
            end++;
        }

        if (end == index + 1)
        {
            return first;
        }

        var events = new EventBuffer((int)bytes);
        for (int i = index; i < end; i++)
        {
            events.Append(_queue[i].Events);
            _queue[i].Events.Release(); // readers copy under the lock, so none holds it
        }

        var joined = new SealedBatch(first.Name, first.Sequence, last, events);
        _queue.RemoveRange(index + 1, end - index - 1);
        _queue[index] = joined;
        return joined;
    }

    /// <summary>The key and CRC-32C of a batch at its first attempt, when its bytes become final.</summary>
    /// <remarks>
    /// Not at sealing: until its first attempt a sealed batch may still absorb the queued batches after it. Computing
    /// it here also keeps the checksum (about 25 ns for a 200-byte event) off the appending thread and out of the lock.
    /// </remarks>
    private (string Key, uint Crc) StoredName(SealedBatch batch)
    {
        uint crc = Crc32C.Compute(batch.Events.Memory.Span);
        return (_logPrefix + LogObjectName.WithCrc(batch.Name, crc), crc);
    }

    private void Start(List<SealedBatch>? batches)
    {
        if (batches is null)
        {
            return;
        }

        foreach (SealedBatch batch in batches)
        {
            // Off the caller's thread: TryAppend never waits, and some stores do blocking work (fsync) before their first await.
            _ = Task.Run(() => PutAsync(batch));
        }
    }

    private async Task PutAsync(SealedBatch batch)
    {
        long started = Stopwatch.GetTimestamp();
        Exception? failure = null;
        Activity? activity = Tracing.Start(Tracing.Flush, _logPrefix, root: true); // a batch holds many callers' events
        try
        {
            if (batch.Stored is null && !Volatile.Read(ref _namesChecked))
            {
                await CheckNamesAsync(CancellationToken.None).ConfigureAwait(false);
            }

            (string key, uint crc) = batch.Stored ??= StoredName(batch);
            if (activity is not null)
            {
                activity.SetTag(Tracing.KeyTag, key);
                activity.SetTag(Tracing.ObjectsTag, 1);
                activity.SetTag(Tracing.EventsTag, batch.Events.Count);
                activity.SetTag(Tracing.BytesTag, batch.Events.Length);
            }

            _clock.RefreshIfStale();
            await _store.PutAsync(key, batch.Events.Memory, _writeMode, crc, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ObjectAlreadyExistsException)
        {
            // An earlier attempt landed but reported failure. The name is this writer's alone, so the stored bytes are these.
        }
        catch (Exception e)
        {
            failure = e;
            Tracing.Fail(activity, e);
        }
        finally
        {
            activity?.Dispose(); // stopped before any waiter hears the outcome, so traces keep the order callers see
        }

        List<SealedBatch>? start;
        List<Waiter>? done = null;
        lock (_gate)
        {
            _inFlight--;
            _lastFailure = failure;
            if (failure is null)
            {
                _queue.Remove(batch);
                _bufferedBytes -= batch.Events.Length;
                foreach (SealedBatch b in _queue)
                {
                    if (b.State == BatchState.Failed)
                    {
                        b.State = BatchState.Retry; // the store answers again
                    }
                }

                for (int i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (StoredThroughLocked(_waiters[i].Through))
                    {
                        (done ??= []).Add(_waiters[i]);
                        _waiters.RemoveAt(i);
                    }
                }
            }
            else
            {
                batch.State = BatchState.Failed;
                for (int i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Through < batch.Sequence)
                    {
                        continue;
                    }

                    if (batch.Attempt > _waiters[i].Since)
                    {
                        (done ??= []).Add(_waiters[i]); // an attempt made for this waiter failed: it hears of it
                        _waiters.RemoveAt(i);
                    }
                    else
                    {
                        batch.State = BatchState.Retry; // an attempt from before the waiter came failed: it gets its own
                    }
                }
            }

            start = DispatchLocked();
        }

        if (failure is null)
        {
            ObjectLogMetrics.FlushDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, _tag);
            ObjectLogMetrics.BatchesStored.Add(1, _tag);
            ObjectLogMetrics.EventsStored.Add(batch.Events.Count, _tag);
            ObjectLogMetrics.BytesStored.Add(batch.Events.Length, _tag);
            ObjectLogMetrics.PendingBytes.Add(-batch.Events.Length, _tag);
            batch.Events.Release(); // out of the queue, so no reader can reach it
        }
        else
        {
            ObjectLogMetrics.FlushFailures.Add(1, _tag);
            _logger.LogWarning(failure, "Storing batch '{Key}' ({Events} events, {Bytes} bytes) failed; it stays buffered and is retried under the same name.", batch.Stored?.Key ?? _logPrefix + batch.Name, batch.Events.Count, batch.Events.Length);
        }

        foreach (Waiter w in done ?? [])
        {
            if (failure is null)
            {
                w.Completion.TrySetResult();
            }
            else
            {
                w.Completion.TrySetException(failure);
            }
        }

        Start(start);
    }

    /// <param name="through">The last sequence the waiter needs stored.</param>
    /// <param name="since">Attempts dispatched before the waiter came; only a failure of a later attempt fails it.</param>
    private sealed class Waiter(long through, long since)
    {
        public long Through { get; } = through;

        public long Since { get; } = since;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
