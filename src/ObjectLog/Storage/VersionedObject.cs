namespace ObjectLog.Storage;

/// <summary>A small object read whole, with the version a conditional update of it names (see <see cref="PutMode.Update"/>).</summary>
/// <param name="Key">The object's full key.</param>
/// <param name="Content">Its bytes.</param>
/// <param name="Version">
/// Its version: an opaque string (an ETag on S3 and Azure) that changes whenever the object is written. Compare it
/// only for equality, and only with versions the same store gave for the same key.
/// </param>
/// <param name="LastModified">When the store wrote it, on the store's clock.</param>
public sealed record VersionedObject(string Key, ReadOnlyMemory<byte> Content, string Version, DateTimeOffset LastModified);
