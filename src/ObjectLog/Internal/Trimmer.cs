using System.Diagnostics;
using System.Text;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// Retention, as a commit like compaction's: first a small create-only trim record (the cutoff is in its name),
/// then deletes of what it hides. From the record on, every listing applies every valid record it finds
/// (<see cref="TrimRecord"/>): readers, tails, counts and compactions act as if the batches it hides were gone, even
/// bytes still inside a merged object; the deletes are garbage collection.
/// </summary>
/// <remarks>
/// <para>
/// Time is the store's. A cutoff later than the store's clock (read through <see cref="StoreClock"/>, never this
/// machine's) is refused, so a trimmer whose clock is a year fast cannot erase the present. A record hides only what was stored before it, so a batch stored after it is read whatever its
/// name, and a record whose cutoff is later than its own stamp (placed by hand, or by an older version that trusted
/// its machine's clock) hides nothing at all.
/// </para>
/// <para>
/// Crash at any step: before the record, nothing happened; after it, the log is trimmed whatever the deletes did.
/// Races: nothing a record hides comes back (a record is deleted only once a record with a later cutoff, stored no
/// earlier, has been there for longer than <see cref="AppendLogOptions.AbandonedMergeGracePeriod"/>), and only what
/// some record hides is deleted.
/// </para>
/// </remarks>
internal sealed class Trimmer(IObjectStore store, string logPrefix, ManifestCache manifests, AppendLogOptions options, PutMode writeMode, StoreClock clock)
{
    private const int MaxRestarts = 10;

    /// <summary>
    /// Refuses a cutoff later than the store's time, beyond the <see cref="TrimRecord.Tolerance"/> of a clock read to
    /// the second or a file system's coarse timestamps (with a fresh reading where the estimate is too close to tell).
    /// </summary>
    public async Task CheckCutoffAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        DateTimeOffset storeNow = await clock.NowAsync(cancellationToken).ConfigureAwait(false);
        if (before > storeNow)
        {
            await clock.ReadAsync(cancellationToken, fresh: true).ConfigureAwait(false);
            storeNow = clock.Estimate()!.Value;
        }

        if (before > storeNow + TrimRecord.Tolerance)
        {
            throw new ArgumentOutOfRangeException(
                nameof(before),
                before,
                $"The cutoff {before:O} is later than the store's time, {storeNow:O} (this machine's clock says {options.TimeProvider.GetUtcNow():O}): a trim there would hide batches being written now.");
        }
    }

    /// <remarks>One <c>objectlog.trim</c> activity covers it, when someone listens: the cutoff and the objects deleted.</remarks>
    public async Task<TrimStats> TrimAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        using Activity? activity = Tracing.Start(Tracing.Trim, logPrefix);
        try
        {
            TrimStats stats = await TrimCoreAsync(before, cancellationToken).ConfigureAwait(false);
            if (activity is not null)
            {
                activity.SetTag(Tracing.BeforeTag, stats.Before.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                activity.SetTag(Tracing.ObjectsTag, stats.DeletedObjects);
            }

            return stats;
        }
        catch (Exception e) when (Tracing.Fail(activity, e))
        {
            throw; // never: the filter only records
        }
    }

    private async Task<TrimStats> TrimCoreAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await CheckCutoffAsync(before, cancellationToken).ConfigureAwait(false);
        long cutoff = LogObjectName.Microseconds(before);
        string name = LogObjectName.Trim(cutoff, BatchNameGenerator.NewId());
        byte[] body = Encoding.UTF8.GetBytes($"{{\"format\":\"objectlog.trim/1\",\"before\":\"{DateTimeOffset.UnixEpoch.AddTicks(cutoff * 10):O}\"}}");

        // The commit point. After an ambiguous failure the record may exist: the log is then trimmed, and a retry
        // (a new record with the same cutoff) changes nothing.
        await store.PutAsync(logPrefix + name, body, writeMode, cancellationToken).ConfigureAwait(false);
        for (int attempt = 0; ; attempt++)
        {
            LogSnapshot snapshot;
            try
            {
                DateTimeOffset now = await clock.NowAsync(cancellationToken).ConfigureAwait(false); // before the listing
                snapshot = await LogSnapshot.LoadAsync(store, logPrefix, manifests, [], includeBatch: null, forCompaction: true, options, cancellationToken, now: now).ConfigureAwait(false);
            }
            catch (ObjectNotFoundException) when (attempt < MaxRestarts)
            {
                continue; // a compaction superseded a manifest under the listing
            }

            GarbageCollected collected = await Garbage.DeleteAsync(store, snapshot.Garbage, cancellationToken).ConfigureAwait(false);
            return new TrimStats(DateTimeOffset.UnixEpoch.AddTicks(cutoff * 10), collected.Deleted) { DeleteFailures = collected.Failures };
        }
    }

    /// <summary>The latest cutoff of a valid trim record, or <see langword="null"/> if there is none. One small LIST.</summary>
    public async Task<DateTimeOffset?> CutoffAsync(CancellationToken cancellationToken)
    {
        string? floor = null;
        await foreach (ObjectMeta meta in store.ListAsync(logPrefix + LogObjectName.TrimPrefix, null, cancellationToken).ConfigureAwait(false))
        {
            if (LogObjectName.TryParse(meta.Key[logPrefix.Length..], out LogObjectName parsed) && parsed.Kind == LogObjectKind.Trim
                && new TrimRecord(meta.Key, parsed.First, meta.LastModified).IsValid
                && string.CompareOrdinal(parsed.First, floor) > 0)
            {
                floor = parsed.First;
            }
        }

        return floor is null ? null : LogObjectName.TimeOf(floor);
    }
}
