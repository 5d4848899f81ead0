using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>What <see cref="Garbage.DeleteAsync"/> did: how many objects it deleted, and each it could not, with why.</summary>
/// <param name="Deleted">Objects the store confirmed deleted (or already gone).</param>
/// <param name="Failures">Objects not deleted, or whose delete is in doubt, in ordinal key order.</param>
internal readonly record struct GarbageCollected(int Deleted, IReadOnlyList<DeleteFailure> Failures);

/// <summary>Deletes what compaction or trimming found to be garbage, in an order that never misleads a reader.</summary>
internal static class Garbage
{
    /// <summary>
    /// Deletes <paramref name="objects"/> in three phases: data (batch and merged objects) first, then manifests, then
    /// end markers and trim records. So no manifest ever names missing data that a reader would trust, and every
    /// committed manifest keeps its marker. A store's refusal never throws: garbage collection is not correctness, so
    /// what was not deleted is left for the next compaction or trim, and returned with the store's reason, so the
    /// caller can say so.
    /// </summary>
    public static async Task<GarbageCollected> DeleteAsync(IObjectStore store, IReadOnlyCollection<GarbageObject> objects, CancellationToken cancellationToken)
    {
        int deleted = 0;
        var failures = new List<DeleteFailure>();
        foreach (int phase in new[] { 0, 1, 2 })
        {
            List<string> batch = objects.Where(o => Phase(o.Kind) == phase).Select(o => o.Key).Distinct(StringComparer.Ordinal).ToList();
            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                await store.DeleteManyAsync(batch, cancellationToken).ConfigureAwait(false);
                deleted += batch.Count;
            }
            catch (BulkDeleteException e)
            {
                deleted += e.Deleted.Count; // the rest is left for later, as below
                failures.AddRange(e.Failures.Select(f => new DeleteFailure(f.Key, f.Value.Message)));
            }
            catch (ObjectStoreException e)
            {
                // Garbage collection, not correctness: a later compaction finds what is left. A manifest whose data
                // survived this phase may still go: data without a manifest is invisible, and collected in its turn.
                failures.AddRange(batch.Select(k => new DeleteFailure(k, e.Message)));
            }
        }

        failures.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new GarbageCollected(deleted, failures);
    }

    private static int Phase(LogObjectKind kind) => kind switch
    {
        LogObjectKind.Batch or LogObjectKind.Merged => 0,
        LogObjectKind.Manifest => 1,
        _ => 2,
    };
}
