using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>The storing side of the write pipeline: dispatching sealed batches to free PUT slots, coalescing, the PUTs, and telling waiters.</summary>
internal sealed partial class WritePipeline
{
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

    /// <summary>The key, CRC-32C and stored bytes (one compressed frame, unless compression is off) of a batch at its first attempt, when its bytes become final.</summary>
    /// <remarks>
    /// Not at sealing: until its first attempt a sealed batch may still absorb the queued batches after it. Doing it
    /// here also keeps the compression and the checksum (over the stored bytes, so a store verifies what it receives)
    /// off the appending thread and out of the lock; every retry sends these bytes under this key.
    /// </remarks>
    private StoredForm StoredName(SealedBatch batch)
    {
        LogCompression encoding = _options.Compression;
        ReadOnlyMemory<byte> bytes = encoding == LogCompression.None ? batch.Events.Memory : FrameCodec.Encode(batch.Events.Memory.Span, encoding);
        uint crc = Crc32C.Compute(bytes.Span);
        return new StoredForm(_logPrefix + LogObjectName.WithCrc(batch.Name, crc, encoding), crc, bytes);
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

            (string key, uint crc, ReadOnlyMemory<byte> bytes) = batch.Stored ??= StoredName(batch);
            if (activity is not null)
            {
                activity.SetTag(Tracing.KeyTag, key);
                activity.SetTag(Tracing.ObjectsTag, 1);
                activity.SetTag(Tracing.EventsTag, batch.Events.Count);
                activity.SetTag(Tracing.BytesTag, batch.Events.Length);
            }

            _clock.RefreshIfStale();
            await _store.PutAsync(key, bytes, _writeMode, crc, CancellationToken.None).ConfigureAwait(false);
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
            ObjectLogMetrics.BytesStored.Add(batch.Stored!.Value.Bytes.Length, _tag);
            ObjectLogMetrics.PendingBytes.Add(-batch.Events.Length, _tag);
            batch.Events.Release(); // out of the queue, so no reader can reach it
            BatchArrivals.Announce(_store, _logPrefix);
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
