using Microsoft.Extensions.Logging;

namespace ObjectLog.Internal;

/// <summary>The unstored batches as a read sees them, and the one check of the names given before the store's clock was known.</summary>
internal sealed partial class WritePipeline
{
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
}
