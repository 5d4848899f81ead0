using Microsoft.Extensions.Logging;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// The store's clock as this process sees it: a reading of <see cref="IObjectStore.GetTimeAsync"/>, carried forward by
/// this machine's monotonic clock (<see cref="TimeProvider.GetTimestamp"/>), so neither this machine's wall clock nor a
/// jump of it moves the estimate.
/// </summary>
/// <remarks>
/// <para>
/// Every time two processes' times meet (a trim cutoff against now, a grace period, what counts as abandoned, a
/// tail's look-back floor) it is this clock's: one machine whose clock is an hour fast must not decide for the others.
/// </para>
/// <para>
/// The estimate errs low, never high: a reading is taken as of the moment its answer arrived (the store stamped it
/// earlier), and a <c>Date</c> header is rounded down to the second. Low is the safe side of every decision made on
/// it: a trim refuses more, garbage is collected later, a tail looks back further, a batch name is a little older.
/// A machine that sleeps (its monotonic clock stops) falls further behind, on the same safe side, until the next
/// reading, which comes every <see cref="ReadingLifetime"/> while the clock is used.
/// </para>
/// </remarks>
internal sealed class StoreClock(IObjectStore store, TimeProvider local, ILogger logger, TimeProvider? storeTimeForTests = null)
{
    /// <summary>
    /// How far a batch name's time may be from the store's clock when the batch is named: a writer whose own clock is
    /// further off names its batches at the edge of this bound (and warns once). Ordinary skews (milliseconds, with
    /// NTP) keep the writer's own clock, at its resolution.
    /// </summary>
    public static readonly TimeSpan NameBound = TimeSpan.FromSeconds(30);

    /// <summary>How long a reading is used before a new one is taken (monotonic clocks drift by parts per million).</summary>
    public static readonly TimeSpan ReadingLifetime = TimeSpan.FromMinutes(10);

    /// <summary>A reading that took longer than this is taken again: its answer may be that much behind.</summary>
    private static readonly TimeSpan SlowReading = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private Reading? _reading;
    private Task<Reading>? _pending;
    private bool _warned;

    /// <summary>Whether the store's clock has been read at least once.</summary>
    public bool IsCalibrated => Volatile.Read(ref _reading) is not null;

    /// <summary>The store's time now, from the last reading; <see langword="null"/> before the first.</summary>
    public DateTimeOffset? Estimate()
        => Volatile.Read(ref _reading) is { } r ? r.StoreTime + local.GetElapsedTime(r.Timestamp) : null;

    /// <summary>
    /// The store's time now: the estimate if its reading is younger than <see cref="ReadingLifetime"/>, else a new
    /// reading (one request). For decisions: call it before the listing the decision is about, so "now" is no later
    /// than the listing.
    /// </summary>
    public async ValueTask<DateTimeOffset> NowAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _reading) is { } r && local.GetElapsedTime(r.Timestamp) < ReadingLifetime)
        {
            return r.StoreTime + local.GetElapsedTime(r.Timestamp);
        }

        await ReadAsync(cancellationToken).ConfigureAwait(false);
        return Estimate()!.Value;
    }

    /// <summary>
    /// Takes a reading unless one is being taken; completes with it (concurrent callers share one request). With
    /// <paramref name="fresh"/>, always a new one: a reading begun earlier may be answered late (a stall between the
    /// store's answer and its arrival), and is then far behind.
    /// </summary>
    public Task ReadAsync(CancellationToken cancellationToken, bool fresh = false)
    {
        Task<Reading> pending;
        lock (_gate)
        {
            if (fresh || _pending is null || _pending.IsCompleted)
            {
                _pending = TakeReadingAsync();
            }

            pending = _pending;
        }

        return pending.WaitAsync(cancellationToken);
    }

    /// <summary>Starts a reading in the background if there is none yet, or the last one is too old; never waits or throws.</summary>
    public void RefreshIfStale()
    {
        if (Volatile.Read(ref _reading) is { } r && local.GetElapsedTime(r.Timestamp) < ReadingLifetime)
        {
            return;
        }

        // On the pool: callers hold locks, and a store may read its clock synchronously (a file system stamps a file).
        _ = Task.Run(async () =>
        {
            try
            {
                await ReadAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The next use tries again; whoever needs the reading waits for one of its own.
            }
        });
    }

    /// <summary>
    /// The time to name a batch with, in microseconds since 1970: this machine's clock, moved into
    /// [store − <see cref="NameBound"/>, store + <see cref="NameBound"/>] once the store's clock is known.
    /// </summary>
    public long NameMicroseconds()
    {
        DateTimeOffset own = local.GetUtcNow();
        if (Estimate() is { } store)
        {
            if (own > store + NameBound)
            {
                own = store + NameBound;
            }
            else if (own < store - NameBound)
            {
                own = store - NameBound;
            }
        }

        return LogObjectName.Microseconds(own);
    }

    private async Task<Reading> TakeReadingAsync()
    {
        DateTimeOffset storeTime;
        long arrived;
        int attempt = 0;
        do
        {
            // As of its arrival: the estimate errs low, by up to the request's duration. One that took long (a stall
            // between the store's answer and its arrival) is far behind: it is taken again, a few times at most.
            long sent = local.GetTimestamp();
            storeTime = storeTimeForTests?.GetUtcNow() ?? await store.GetTimeAsync(CancellationToken.None).ConfigureAwait(false);
            arrived = local.GetTimestamp();
            if (local.GetElapsedTime(sent, arrived) <= SlowReading)
            {
                break;
            }
        }
        while (++attempt < 3);

        var reading = new Reading(storeTime, arrived);
        Volatile.Write(ref _reading, reading);
        TimeSpan off = local.GetUtcNow() - storeTime;
        if (off.Duration() > NameBound && !_warned)
        {
            _warned = true;
            logger.LogWarning("This machine's clock is {Offset} off the store's ({StoreTime:O}); batch names follow the store's clock to within {Bound}, and trims, grace periods and tails use the store's clock.", off, storeTime, NameBound);
        }

        return reading;
    }

    private sealed record Reading(DateTimeOffset StoreTime, long Timestamp);
}
