using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>Deletes what compaction or trimming found to be garbage, in an order that never misleads a reader.</summary>
internal static class Garbage
{
    /// <summary>
    /// Deletes <paramref name="keys"/> in three phases: data (batch and merged objects) first, then manifests, then
    /// end markers and trim records. So no manifest ever names missing data that a reader would trust, and every
    /// committed manifest keeps its marker. Failures are left for the next compaction or trim.
    /// </summary>
    /// <returns>How many objects were deleted.</returns>
    public static async Task<int> DeleteAsync(IObjectStore store, List<string> keys, CancellationToken cancellationToken)
    {
        int deleted = 0;
        foreach (int phase in new[] { 0, 1, 2 })
        {
            List<string> batch = keys.Where(k => Phase(k) == phase).Distinct(StringComparer.Ordinal).ToList();
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
            }
            catch (ObjectStoreException)
            {
                // Garbage collection, not correctness: a later compaction finds what is left. A manifest whose data
                // survived this phase may still go: data without a manifest is invisible, and collected in its turn.
            }
        }

        return deleted;
    }

    private static int Phase(string key)
        => key.EndsWith(".manifest.json", StringComparison.Ordinal) ? 1
        : key.EndsWith(".jsonl", StringComparison.Ordinal) ? 0
        : 2;
}
