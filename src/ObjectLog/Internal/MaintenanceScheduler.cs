using Microsoft.Extensions.Logging;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// An <see cref="AppendLog"/>'s maintenance: compactions and trims on request, and, every
/// <see cref="AppendLogOptions.AutoCompactionInterval"/> when <see cref="AppendLogOptions.AutoCompaction"/> or
/// <see cref="AppendLogOptions.Retention"/> is set, the retention rule and then a compaction in the background, one
/// at a time, until stopped.
/// </summary>
/// <remarks>
/// Stopping cancels the background work and waits for it: a compaction or trim stopped at any step changes nothing
/// readers see, so stopping never has to wait for a slow store to finish one.
/// </remarks>
internal sealed class MaintenanceScheduler(Compactor compactor, Trimmer trimmer, ConsumerAdmin consumers, StoreClock clock, string logPrefix, AppendLogOptions options, KeyValuePair<string, object?> tag, ILogger logger) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private Task _backgroundCompaction = Task.CompletedTask;
    private int _compacting;
    private bool _closing;

    /// <summary>Starts the timer if <see cref="AppendLogOptions.AutoCompaction"/> or <see cref="AppendLogOptions.Retention"/> is set; once, before the log is shared.</summary>
    public MaintenanceScheduler Start()
    {
        if (options.AutoCompaction is not null || options.Retention != Timeout.InfiniteTimeSpan)
        {
            _timer = options.TimeProvider.CreateTimer(static state => ((MaintenanceScheduler)state!).CompactInBackground(), this, options.AutoCompactionInterval, options.AutoCompactionInterval);
        }

        return this;
    }

    /// <summary>Merges what <paramref name="policy"/> chooses (see <see cref="AppendLog.CompactAsync(CompactionPolicy, CancellationToken)"/>), counting each merge that commits.</summary>
    public async Task<CompactionStats> CompactAsync(CompactionPolicy policy, CancellationToken cancellationToken)
    {
        CompactionStats stats = await compactor.CompactAsync(policy, cancellationToken).ConfigureAwait(false);
        if (stats.NewKey is not null)
        {
            ObjectLogMetrics.Compactions.Add(1, tag);
        }

        return stats;
    }

    /// <summary>See <see cref="AppendLog.TrimAsync"/>: at <paramref name="before"/>, or where the slowest consumer holds it (<see cref="AppendLogOptions.RetentionRespectsConsumers"/>).</summary>
    public async Task<TrimStats> TrimAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        (DateTimeOffset? cutoff, string? heldBy) = await HoldAsync(before, cancellationToken).ConfigureAwait(false);
        if (cutoff is not { } effective)
        {
            await trimmer.CheckCutoffAsync(before, cancellationToken).ConfigureAwait(false); // a cutoff from the future is refused whether or not a consumer holds it
            return new TrimStats(DateTimeOffset.UnixEpoch, 0) { HeldBy = heldBy }; // held at the beginning: no record, nothing hidden
        }

        TrimStats stats = await trimmer.TrimAsync(effective, cancellationToken).ConfigureAwait(false);
        return stats with { HeldBy = heldBy };
    }

    /// <summary>
    /// Where a trim at <paramref name="before"/> may cut: there, or, with <see cref="AppendLogOptions.RetentionRespectsConsumers"/>,
    /// no later than the earliest batch time a consumer may still read, and which consumer held it back
    /// (<see langword="null"/> when none did). A <see langword="null"/> cutoff: a consumer needs the log from its beginning.
    /// </summary>
    private async Task<(DateTimeOffset? Cutoff, string? HeldBy)> HoldAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        if (!options.RetentionRespectsConsumers || await consumers.SlowestAsync(cancellationToken).ConfigureAwait(false) is not { } slowest)
        {
            return (before, null);
        }

        return slowest.From is not { } from ? (null, slowest.Name)
            : from < before ? (from, slowest.Name)
            : (before, null);
    }

    /// <summary>No background compaction starts from now on; one under way goes on until <see cref="StopAsync"/>.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closing = true;
        }
    }

    /// <summary><see cref="Close"/>, then stops the timer, cancels background work and waits for it to end.</summary>
    public async Task StopAsync()
    {
        Close();
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
            await _stopping.CancelAsync().ConfigureAwait(false); // a compaction stopped at any step changes nothing readers see
            await _backgroundCompaction.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Releases the cancellation source; after <see cref="StopAsync"/>, once nothing can be stopped again.</summary>
    public void Dispose() => _stopping.Dispose();

    private void CompactInBackground()
    {
        lock (_gate)
        {
            if (_closing || Interlocked.CompareExchange(ref _compacting, 1, 0) != 0)
            {
                return;
            }

            _backgroundCompaction = CompactQuietlyAsync(options.AutoCompaction);
        }

        async Task CompactQuietlyAsync(CompactionPolicy? policy)
        {
            try
            {
                await Task.Yield(); // off the timer's thread, and out of the lock
                await ApplyRetentionAsync(_stopping.Token).ConfigureAwait(false);
                if (policy is not null)
                {
                    await CompactAsync(policy, _stopping.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is ObjectStoreException or OperationCanceledException)
            {
                if (!_stopping.IsCancellationRequested)
                {
                    ObjectLogMetrics.CompactionFailures.Add(1, tag);
                    logger.LogWarning(e, "Background compaction of log '{Prefix}' failed; the next one, in {Interval}, retries. Readers see the same events either way.", logPrefix, options.AutoCompactionInterval);
                }
            }
            finally
            {
                Volatile.Write(ref _compacting, 0);
            }
        }
    }

    /// <summary>Trims at <c>now - Retention</c> (or where a consumer holds it) once the latest cutoff is more than 1% of the retention behind it (see <see cref="AppendLogOptions.Retention"/>).</summary>
    private async Task ApplyRetentionAsync(CancellationToken cancellationToken)
    {
        if (options.Retention == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        (DateTimeOffset? held, string? heldBy) = await HoldAsync(await clock.NowAsync(cancellationToken).ConfigureAwait(false) - options.Retention, cancellationToken).ConfigureAwait(false);
        if (held is not { } target)
        {
            return; // a consumer needs the log from its beginning
        }

        DateTimeOffset? cutoff = await trimmer.CutoffAsync(cancellationToken).ConfigureAwait(false);
        if (cutoff is null || target - cutoff.Value > options.Retention / 100)
        {
            if (heldBy is not null)
            {
                logger.LogDebug("Retention of log '{Prefix}' trims before {Cutoff:O}, held there by consumer '{Consumer}'.", logPrefix, target, heldBy);
            }

            await trimmer.TrimAsync(target, cancellationToken, countHidden: false).ConfigureAwait(false); // nobody reads the answer
        }
    }
}
