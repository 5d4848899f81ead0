namespace ObjectLog.Storage;

/// <summary>What a listing says about one stored object.</summary>
/// <param name="Key">The object's full key.</param>
/// <param name="Size">Its length in bytes.</param>
/// <param name="LastModified">When the store last wrote it.</param>
public sealed record ObjectMeta(string Key, long Size, DateTimeOffset LastModified)
{
    /// <summary>
    /// The object's version where the store's listing gives it (see <see cref="VersionedObject.Version"/>: the same
    /// string a read with <see cref="IObjectStore.GetVersionedAsync"/> returns), or <see langword="null"/>.
    /// </summary>
    public string? Version { get; init; }
}
