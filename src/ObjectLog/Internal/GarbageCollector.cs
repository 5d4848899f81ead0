using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// Garbage collection as an operation of its own: lists the whole log with the store's time read first, chooses its
/// garbage (<see cref="GarbagePlan"/>), writes the end markers committed merged objects lack, and deletes the garbage
/// (<see cref="Garbage.DeleteAsync"/>). <c>objlog verify --repair</c> runs it alone (as <see cref="CompactionPolicy.Nothing"/>);
/// every compaction runs its steps around its merge.
/// </summary>
/// <remarks>
/// It changes nothing a reader sees: what it deletes no reader reads any more (or, for the grace periods' sake, any
/// reader that listed it a while ago), and a delete that fails is left for the next collection.
/// </remarks>
internal sealed class GarbageCollector(IObjectStore store, string logPrefix, ManifestCache manifests, AppendLogOptions options, PutMode writeMode, StoreClock clock)
{
    /// <summary>Reads the store's time, then lists the whole log and chooses its garbage beside a read plan.</summary>
    public async Task<GarbagePlan> PlanAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset now = await clock.NowAsync(cancellationToken).ConfigureAwait(false); // before the listing
        return await GarbagePlan.TakeAsync(store, logPrefix, manifests, options, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Collects the log's garbage: plans, writes missing end markers, deletes. Lists again if an object vanished under the plan.</summary>
    /// <returns>No merge; <see cref="CompactionStats.MergedObjects"/> is the count of objects a reader reads.</returns>
    public Task<CompactionStats> CollectAsync(CancellationToken cancellationToken)
        => Relisting.RetryWhenVanishedAsync(async _ =>
        {
            GarbagePlan plan = await PlanAsync(cancellationToken).ConfigureAwait(false);
            await WriteMissingMarkersAsync(plan.Snapshot, cancellationToken).ConfigureAwait(false);
            return await CollectAsync(plan, cancellationToken).ConfigureAwait(false);
        });

    /// <summary>Deletes what <paramref name="plan"/> found to be garbage, and nothing else.</summary>
    public async Task<CompactionStats> CollectAsync(GarbagePlan plan, CancellationToken cancellationToken)
    {
        GarbageCollected collected = await Garbage.DeleteAsync(store, plan.Objects, cancellationToken).ConfigureAwait(false);
        return new CompactionStats(plan.Snapshot.Sources.Count, 0, null) { DeletedObjects = collected.Deleted, DeleteFailures = collected.Failures };
    }

    /// <summary>
    /// Writes the end markers that committed merged objects lack (those written before markers existed), so reads
    /// from a floor find them too. Create-only and idempotent: a marker the listing missed is simply there already.
    /// </summary>
    public async Task WriteMissingMarkersAsync(LogSnapshot snapshot, CancellationToken cancellationToken)
    {
        foreach (string dataName in snapshot.MissingMarkers)
        {
            await MergeCommit.PutEndMarkerAsync(store, logPrefix, dataName, writeMode, cancellationToken).ConfigureAwait(false);
        }
    }
}
