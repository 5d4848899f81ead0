using Microsoft.Extensions.Logging;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

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
/// <para>
/// Roles, one file each: admission, flushes and waits here; storing (dispatch, coalescing, the PUTs) in
/// <c>WritePipeline.Storing.cs</c>; what reads see of the unstored batches in <c>WritePipeline.Unstored.cs</c>; the
/// flush timer in <see cref="BackgroundFlusher"/>.
/// </para>
/// </remarks>
internal sealed partial class WritePipeline
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
    private readonly BackgroundFlusher? _flusher;

    /// <summary>What <see cref="Admit"/> did with an event.</summary>
    private enum Admission
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
        if (options.FlushInterval != Timeout.InfiniteTimeSpan)
        {
            _flusher = new BackgroundFlusher(this, options); // last: its ticks use everything above
        }
    }

    /// <summary>Hears of the batches any log in this process stores under this writer's store object and prefix (<see cref="BatchArrivals"/>), for a tail.</summary>
    public BatchArrivals.Listener ListenForArrivals() => BatchArrivals.Listen(_store, _logPrefix);

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

    /// <summary>
    /// Appends one event; see <see cref="AppendLog.AppendAsync"/>. The bytes are copied before this returns; only a
    /// full buffer (the slow path) keeps them to wait, <paramref name="owned"/> if given, else a copy.
    /// </summary>
    /// <exception cref="AppendBufferFullException">The buffer is full and storing its oldest batch failed; the event was not appended.</exception>
    /// <exception cref="ObjectDisposedException">The pipeline is closing.</exception>
    public ValueTask AppendAsync(ReadOnlySpan<byte> line, ReadOnlyMemory<byte>? owned, CancellationToken cancellationToken)
    {
        ValidateEvent(line);
        switch (Admit(line, out long sealedThrough, out long attemptsBefore))
        {
            case Admission.Appended:
                return default;
            case Admission.Sealed:
                return new ValueTask(WaitStoredAsync(sealedThrough, attemptsBefore, cancellationToken));
            case Admission.Full:
                return new ValueTask(AppendWhenFullAsync(owned ?? line.ToArray(), cancellationToken));
            default:
                throw new ObjectDisposedException(typeof(AppendLog).FullName);
        }
    }

    /// <summary>Appends one event without waiting; <see langword="false"/> if the buffer is full. See <see cref="AppendLog.TryAppend"/>.</summary>
    /// <exception cref="ObjectDisposedException">The pipeline is closing.</exception>
    public bool TryAppend(ReadOnlySpan<byte> line)
    {
        ValidateEvent(line);
        Admission admission = Admit(line, out _, out _);
        ObjectDisposedException.ThrowIf(admission == Admission.Closed, typeof(AppendLog));
        return admission != Admission.Full;
    }

    /// <summary>Stops the flush timer's flushes from starting; the one under way, if any, goes on.</summary>
    public void StopBackgroundFlushes() => _flusher?.Stop();

    /// <summary>Disposes the flush timer.</summary>
    public ValueTask DisposeFlushTimerAsync() => _flusher?.DisposeAsync() ?? default;

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
            await WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectStoreException e)
        {
            throw new AppendBufferFullException(BufferedBytes, e);
        }

        await AppendAsync(line.Span, line, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends a validated event; if it fills the batch, seals it and starts storing it.</summary>
    /// <param name="line">The event.</param>
    /// <param name="sealedThrough">With <see cref="Admission.Sealed"/>, the sequence to wait for to know the event is stored.</param>
    /// <param name="attemptsBefore">With <see cref="Admission.Sealed"/>, what to pass to <see cref="WaitStoredAsync"/>, so the attempt this call started counts as the waiter's own.</param>
    private Admission Admit(ReadOnlySpan<byte> line, out long sealedThrough, out long attemptsBefore)
    {
        sealedThrough = 0;
        attemptsBefore = 0;
        List<SealedBatch>? start;
        lock (_gate)
        {
            if (_closed)
            {
                return Admission.Closed;
            }

            int size = line.Length + 1;
            if (_bufferedBytes > 0 && _bufferedBytes + size > _options.MaxBufferedBytes)
            {
                return Admission.Full;
            }

            if (_open.Count == 0)
            {
                _openName = _names.Next();
            }

            _open.Append(line);
            _bufferedBytes += size;
            if (_open.Count < _options.FlushThreshold && _open.Length < _options.FlushThresholdBytes)
            {
                return Admission.Appended;
            }

            sealedThrough = SealLocked();
            attemptsBefore = _attempts;
            start = DispatchLocked();
        }

        Start(start);
        return Admission.Sealed;
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
}
