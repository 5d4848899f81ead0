using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// One instance's hold on a named consumer's state object (<see cref="ConsumerState"/>): it takes the lease, writes
/// every checkpoint and renewal, and knows when it has lost the lease. Every write is a conditional update of the
/// version this instance last wrote or read (a create when there is no object), so once another instance has written
/// the object, nothing this one sends can land: it is fenced.
/// </summary>
/// <remarks>
/// <para>
/// A write whose outcome is unknown (a timeout, a cancelled request) is resolved by reading the object back: if it
/// holds exactly the bytes sent, the write landed and its version is adopted; if it is still at the version the write
/// named, the write did not land; anything else means another instance wrote, and this one is fenced. Only this
/// instance writes its own owner id with its own epoch, so equal bytes identify its write.
/// </para>
/// <para>
/// Expiry is judged from renewals seen, never by comparing clocks: a waiting instance takes over when the object's
/// version has stayed the same for the lease duration stored in it, counted on its own clock from when it first saw
/// that version; the owner stops when its last write that landed was SENT a lease duration ago, on its clock. The
/// owner's count starts before the waiting instance's (a write is seen after it is sent), so while the two clocks run
/// at about the same rate the owner stops delivering before another instance takes over. Whatever the clocks do,
/// a fenced instance's writes fail: clocks only decide when events are delivered twice, never whether a checkpoint of
/// a previous owner can overwrite a newer one.
/// </para>
/// <para>Writes are serialized: one at a time, each against the state the previous one left.</para>
/// </remarks>
internal sealed class ConsumerLease : IDisposable
{
    private readonly IObjectStore _store;
    private readonly string _consumer;
    private readonly string _key;
    private readonly string _ownerId;
    private readonly TimeSpan _leaseDuration;
    private readonly TimeSpan _standbyPoll;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly CancellationTokenSource _fenced = new();
    private ConsumerState? _current; // what the object holds at _version, as this instance last wrote or read it
    private string? _version;
    private (ConsumerState State, byte[] Bytes, long Sent)? _unresolved; // a write sent whose outcome is not known yet
    private long _confirmedSend; // when the last write that landed was sent (TimeProvider timestamp)
    private string? _fenceReason;
    private string? _heldBy; // the other owner AcquireAsync last found holding the lease, while it waits

    public ConsumerLease(IObjectStore store, string consumer, string key, string ownerId, TimeSpan leaseDuration, TimeSpan standbyPoll, TimeProvider time)
    {
        _store = store;
        _consumer = consumer;
        _key = key;
        _ownerId = ownerId;
        _leaseDuration = leaseDuration;
        _standbyPoll = standbyPoll;
        _time = time;
    }

    /// <summary>The state as this instance last wrote it; <see langword="null"/> before it owns the consumer.</summary>
    public ConsumerState? Current => Volatile.Read(ref _current);

    /// <summary>Whether this instance took the lease and, as far as it knows, still holds it.</summary>
    public bool IsOwner => Volatile.Read(ref _current) is { } s && s.Owner == _ownerId && !IsFenced && !DeadlinePassed();

    /// <summary>The owner id of the other instance <see cref="AcquireAsync"/> is waiting for; <see langword="null"/> when it is not waiting.</summary>
    public string? HeldBy => Volatile.Read(ref _heldBy);

    /// <summary>Whether this instance knows it lost the lease (another instance wrote, or it could not renew in time).</summary>
    public bool IsFenced => _fenced.IsCancellationRequested;

    /// <summary>Cancelled once this instance is fenced: what it is delivering stops.</summary>
    public CancellationToken Fenced => _fenced.Token;

    /// <summary>How often the owner renews: a third of its lease.</summary>
    public TimeSpan RenewInterval => _leaseDuration / 3;

    /// <summary>
    /// Takes the lease: creates the state with the start <paramref name="resolveStart"/> gives when there is none,
    /// takes it at once when nobody holds it or it names this owner id, and otherwise waits, reading it every standby
    /// interval, until it has stayed unchanged for the lease duration it names, then takes it over. Each take adds one
    /// to the epoch.
    /// </summary>
    /// <exception cref="CorruptObjectException">The state object cannot be read as one; nothing is written over it.</exception>
    public async Task<ConsumerState> AcquireAsync(Func<CancellationToken, ValueTask<LogPosition?>> resolveStart, CancellationToken cancellationToken)
    {
        try
        {
            return await WaitAndTakeAsync(resolveStart, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _heldBy, null);
        }
    }

    private async Task<ConsumerState> WaitAndTakeAsync(Func<CancellationToken, ValueTask<LogPosition?>> resolveStart, CancellationToken cancellationToken)
    {
        string? seenVersion = null;
        long seenAt = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            VersionedObject? read;
            try
            {
                read = await _store.GetVersionedAsync(_key, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectNotFoundException)
            {
                read = null;
            }
            catch (ObjectStoreException e) when (e.IsTransient)
            {
                await Task.Delay(_standbyPoll, _time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            ConsumerState next;
            PutMode mode;
            if (read is null)
            {
                LogPosition? start = await resolveStart(cancellationToken).ConfigureAwait(false);
                (next, mode) = (new ConsumerState(_consumer, start, null, new HandledBatches(), null, _ownerId, 1, _leaseDuration), PutMode.Create);
            }
            else
            {
                if (_unresolved is { } earlier && read.Content.Span.SequenceEqual(earlier.Bytes))
                {
                    Volatile.Write(ref _heldBy, null);
                    Adopt(earlier.State, read.Version, earlier.Sent); // an earlier take landed after all
                    _unresolved = null;
                    return earlier.State;
                }

                ConsumerState state = ConsumerState.Parse(read.Key, read.Content);
                bool free = state.Owner is null || state.Owner == _ownerId;
                if (!free)
                {
                    if (read.Version != seenVersion)
                    {
                        (seenVersion, seenAt) = (read.Version, _time.GetTimestamp()); // renewed: count the lease again from now
                    }

                    free = _time.GetElapsedTime(seenAt) >= state.Lease;
                }

                if (!free)
                {
                    Volatile.Write(ref _heldBy, state.Owner);
                    await Task.Delay(_standbyPoll, _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                (next, mode) = (state with { Owner = _ownerId, Epoch = state.Epoch + 1, Lease = _leaseDuration }, PutMode.Update);
            }

            Volatile.Write(ref _heldBy, null); // before a take lands: whoever sees IsOwner sees no holder

            await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                _unresolved = null; // not in the object just read: it did not land, or was overwritten since
                _version = read?.Version;
                if (await TryPutAsync(next, mode, cancellationToken).ConfigureAwait(false))
                {
                    return next;
                }
            }
            catch (ObjectStoreException e) when (e.IsTransient)
            {
                await Task.Delay(_standbyPoll, _time, cancellationToken).ConfigureAwait(false); // the outcome is resolved by the next read
            }
            finally
            {
                _writes.Release();
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="change"/> of the current state, as the owner; <paramref name="change"/> returns
    /// <see langword="null"/> for nothing to write. A transient failure is retried a few times, each resolved first.
    /// </summary>
    /// <returns>The state written, or the current one if there was nothing to write.</returns>
    /// <exception cref="ConsumerFencedException">Another instance wrote the state, or this one could not renew for a lease duration. Nothing was written.</exception>
    /// <exception cref="ObjectStoreException">The store kept failing; whether the last attempt landed is resolved by the next write.</exception>
    public async Task<ConsumerState> WriteAsync(Func<ConsumerState, ConsumerState?> change, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                ThrowIfNotOwner();
                ConsumerState current = _current!;
                if (change(current) is not { } next)
                {
                    return current;
                }

                try
                {
                    if (await TryPutAsync(next, PutMode.Update, cancellationToken).ConfigureAwait(false))
                    {
                        return next;
                    }
                }
                catch (ObjectStoreException e) when (e.IsTransient && attempt < MaxAttempts)
                {
                    await Task.Delay(RetryDelay, _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (_current != current)
                {
                    continue; // an earlier write turned out to have landed: write again on top of it
                }

                Fence("another instance took it over");
                ThrowIfNotOwner();
            }
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Releases the lease (owner cleared, state kept) if this instance still holds it; a failure is left to expire.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (!IsOwner)
        {
            return;
        }

        try
        {
            await WriteAsync(s => s with { Owner = null }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ConsumerFencedException or ObjectStoreException)
        {
            // Not released: the lease runs out on its own, and a waiting instance takes over then.
        }
        finally
        {
            Fence("it released its lease");
        }
    }

    /// <summary>Marks this instance fenced (once) and stops what it is delivering.</summary>
    public void Fence(string reason)
    {
        if (Interlocked.CompareExchange(ref _fenceReason, reason, null) is null)
        {
            _fenced.Cancel();
        }
    }

    /// <summary>Throws <see cref="ConsumerFencedException"/> if this instance no longer owns the consumer, fencing it first if its lease ran out.</summary>
    public void ThrowIfNotOwner()
    {
        if (!IsFenced && Volatile.Read(ref _current) is not null && DeadlinePassed())
        {
            Fence($"it could not renew its lease for {_leaseDuration.TotalSeconds:0.###} s, so another instance may have taken it over");
        }

        if (IsFenced || Volatile.Read(ref _current) is null)
        {
            throw new ConsumerFencedException(_consumer, _fenceReason ?? "it has not taken ownership yet");
        }
    }

    public void Dispose()
    {
        _fenced.Dispose();
        _writes.Dispose();
    }

    private const int MaxAttempts = 3;

    private TimeSpan RetryDelay => TimeSpan.FromTicks(Math.Min(_leaseDuration.Ticks / 30, TimeSpan.TicksPerSecond));

    private bool DeadlinePassed() => _time.GetElapsedTime(Volatile.Read(ref _confirmedSend)) >= _leaseDuration;

    /// <summary>
    /// Sends <paramref name="next"/> with <paramref name="mode"/> against <see cref="_version"/> and settles the outcome.
    /// Must be called holding <see cref="_writes"/>.
    /// </summary>
    /// <returns>
    /// <see langword="true"/>: it landed and is now current. <see langword="false"/>: it did not land because the object
    /// is not at that version any more; <see cref="_current"/> is changed only if the change was an earlier write of
    /// this instance that turned out to have landed.
    /// </returns>
    /// <exception cref="ObjectStoreException">Transient: the outcome could not be settled; it stays recorded and the next attempt settles it.</exception>
    private async Task<bool> TryPutAsync(ConsumerState next, PutMode mode, CancellationToken cancellationToken)
    {
        next = next.NextWrite(); // derived from the state at _version, so its bytes differ from every earlier write's
        byte[] bytes = next.ToJson();
        if (_unresolved is not null)
        {
            // An earlier write may have landed: settle it first, so the version this one names is the object's.
            if (await SettleAsync(cancellationToken).ConfigureAwait(false) != false)
            {
                return false; // it landed (now current: the caller writes again on top of it), or another instance wrote
            }
        }

        long sent = _time.GetTimestamp();
        _unresolved = (next, bytes, sent);
        string version;
        try
        {
            version = await _store.PutVersionedAsync(_key, bytes, mode, mode == PutMode.Update ? _version : null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ObjectChangedException or ObjectAlreadyExistsException)
        {
            _unresolved = null; // refused: it did not land
            return false;
        }
        catch (Exception)
        {
            // Unknown: it may have landed. Settle it now if the store answers; otherwise the next attempt does.
            bool? landed = await SettleQuietlyAsync(cancellationToken).ConfigureAwait(false);
            if (landed == true)
            {
                return true;
            }

            throw;
        }

        Adopt(next, version, sent);
        return true;
    }

    private async Task<bool?> SettleQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await SettleAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectStoreException)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads the object back to settle <see cref="_unresolved"/>: <see langword="true"/> if it landed (adopted),
    /// <see langword="false"/> if the object is still at <see cref="_version"/> (it did not land),
    /// <see langword="null"/> if someone else wrote (it did not land, or was overwritten).
    /// </summary>
    private async Task<bool?> SettleAsync(CancellationToken cancellationToken)
    {
        (ConsumerState state, byte[] bytes, long sent) = _unresolved!.Value;
        VersionedObject read;
        try
        {
            read = await _store.GetVersionedAsync(_key, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            _unresolved = null;
            return _version is null ? false : null;
        }

        _unresolved = null;
        if (read.Content.Span.SequenceEqual(bytes))
        {
            // Only this instance writes its owner id with its epoch, so these bytes are its write.
            Adopt(state, read.Version, sent);
            return true;
        }

        return read.Version == _version ? false : null;
    }

    private void Adopt(ConsumerState state, string version, long sent)
    {
        _unresolved = null;
        _version = version;
        Volatile.Write(ref _current, state);
        Volatile.Write(ref _confirmedSend, sent);
    }
}
