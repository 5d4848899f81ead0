using ObjectLog.Internal;
using ObjectLog.Storage;

namespace ObjectLog.Cli;

/// <summary>The objects under a log's prefix, by what their names say they are.</summary>
/// <param name="Total">Every object.</param>
/// <param name="Bytes">Their bytes: what storage is billed for.</param>
/// <param name="BatchObjects">Batch objects: not merged (or merged, and waiting to be deleted).</param>
/// <param name="MergedObjects">Committed merged objects.</param>
/// <param name="Uncommitted">Merged data without a manifest: a compaction that never committed, invisible to readers.</param>
/// <param name="Other">Manifests, end markers and trim records.</param>
/// <param name="Foreign">Objects that are not ObjectLog's (ignored by readers).</param>
internal sealed record ObjectCounts(int Total, long Bytes, int BatchObjects, int MergedObjects, int Uncommitted, int Other, int Foreign)
{
    public static ObjectCounts Of(string prefix, List<ObjectMeta> objects)
    {
        var names = objects.Select(o => o.Key[prefix.Length..]).ToHashSet(StringComparer.Ordinal);
        int batch = 0, merged = 0, uncommitted = 0, other = 0, foreign = 0;
        foreach (string name in names)
        {
            if (name.Contains('/', StringComparison.Ordinal) || !LogObjectName.TryParse(name, out LogObjectName parsed))
            {
                foreign++;
            }
            else if (parsed.Kind == LogObjectKind.Batch)
            {
                batch++;
            }
            else if (parsed.Kind == LogObjectKind.Merged && names.Contains(LogObjectName.ManifestFor(name)))
            {
                merged++;
            }
            else if (parsed.Kind == LogObjectKind.Merged)
            {
                uncommitted++;
            }
            else
            {
                other++;
            }
        }

        return new ObjectCounts(objects.Count, objects.Sum(o => o.Size), batch, merged, uncommitted, other, foreign);
    }
}
