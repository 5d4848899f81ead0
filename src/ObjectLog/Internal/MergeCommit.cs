using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// When a merged object's commit counts, and its end marker: what the compactor writes and what every reader of a
/// listing (read planning, garbage collection, census, verify) judges by.
/// </summary>
internal static class MergeCommit
{
    /// <summary>How soon after its data a manifest must be stored for the commit to count.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    /// <summary>Whether a manifest was stored soon enough after its data for the commit to count (see <see cref="Window"/>).</summary>
    public static bool IsTimely(ObjectMeta data, ObjectMeta manifest) => manifest.LastModified - data.LastModified < Window;

    /// <summary>
    /// Stores the end marker of merged data <paramref name="dataName"/>. Create-only and idempotent: a retry after an
    /// ambiguous failure, or another compaction repairing the same object, finds the same content there.
    /// </summary>
    public static async Task PutEndMarkerAsync(IObjectStore store, string logPrefix, string dataName, PutMode writeMode, CancellationToken cancellationToken)
    {
        try
        {
            await store.PutAsync(logPrefix + LogObjectName.EndMarkerFor(dataName), EndMarker.Serialize(dataName), writeMode, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Same content: nothing to do.
        }
    }
}
