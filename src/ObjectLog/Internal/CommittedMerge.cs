using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>Merged data whose commit counts (its manifest was listed, in time), as a read plan sees it.</summary>
internal sealed class CommittedMerge(LogObjectName name, ObjectMeta dataMeta, ObjectMeta manifestMeta)
{
    public LogObjectName Name { get; } = name;

    /// <summary>The data's key and size (for one found by its marker, the size comes from the manifest).</summary>
    public ObjectMeta DataMeta { get; set; } = dataMeta;

    public ObjectMeta ManifestMeta { get; } = manifestMeta;

    /// <summary>Found by its end marker: its data sorts before the listing's start, and its manifest decides whether it counts.</summary>
    public bool ViaMarker { get; init; }

    public bool NeedsManifest { get; set; }

    public Manifest? Manifest { get; set; }

    /// <summary>The batches it holds for readers: its manifest's, less the trimmed ones; <see langword="null"/> when read whole without a manifest.</summary>
    public List<ManifestBatch>? Held { get; set; }

    /// <summary>The key of its end marker.</summary>
    public string EndMarkerKey => DataMeta.Key[..^Name.DataName.Length] + LogObjectName.EndMarkerFor(Name.DataName);
}
