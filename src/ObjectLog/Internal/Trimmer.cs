using System.Diagnostics;
using System.Text;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// Retention, as a commit like compaction's: first a small create-only trim record (the cutoff is in its name),
/// then deletes of what lies wholly before the cutoff. From the record on, every listing applies the latest cutoff
/// it finds (<see cref="LogSnapshot.TrimFloor"/>), so readers, tails, counts and compactions act as if the trimmed
/// batches were gone, even bytes still inside a merged object; the deletes are garbage collection.
/// </summary>
/// <remarks>
/// Crash at any step: before the record, nothing happened; after it, the log is trimmed whatever the deletes did.
/// Races: the effective cutoff only grows (a record is deleted only once a later cutoff has been recorded for longer
/// than <see cref="AppendLogOptions.AbandonedMergeGracePeriod"/>), so nothing trimmed comes back, and only objects
/// whose last batch is before a recorded cutoff are deleted, so nothing at or after any cutoff goes.
/// </remarks>
internal sealed class Trimmer(IObjectStore store, string logPrefix, ManifestCache manifests, AppendLogOptions options, PutMode writeMode)
{
    private const int MaxRestarts = 10;

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
                snapshot = await LogSnapshot.LoadAsync(store, logPrefix, manifests, [], includeBatch: null, forCompaction: true, options, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectNotFoundException) when (attempt < MaxRestarts)
            {
                continue; // a compaction superseded a manifest under the listing
            }

            GarbageCollected collected = await Garbage.DeleteAsync(store, snapshot.Garbage, cancellationToken).ConfigureAwait(false);
            return new TrimStats(DateTimeOffset.UnixEpoch.AddTicks(cutoff * 10), collected.Deleted) { DeleteFailures = collected.Failures };
        }
    }

    /// <summary>The effective cutoff (the latest trim record's), or <see langword="null"/> if the log was never trimmed. One small LIST.</summary>
    public async Task<DateTimeOffset?> CutoffAsync(CancellationToken cancellationToken)
    {
        string? floor = null;
        await foreach (ObjectMeta meta in store.ListAsync(logPrefix + LogObjectName.TrimPrefix, null, cancellationToken).ConfigureAwait(false))
        {
            if (LogObjectName.TryParse(meta.Key[logPrefix.Length..], out LogObjectName parsed) && parsed.Kind == LogObjectKind.Trim
                && string.CompareOrdinal(parsed.First, floor) > 0)
            {
                floor = parsed.First;
            }
        }

        return floor is null ? null : LogObjectName.TimeOf(floor);
    }
}
