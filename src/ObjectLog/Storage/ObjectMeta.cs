namespace ObjectLog.Storage;

/// <summary>What a listing says about one stored object.</summary>
/// <param name="Key">The object's full key.</param>
/// <param name="Size">Its length in bytes.</param>
/// <param name="LastModified">When the store last wrote it.</param>
public sealed record ObjectMeta(string Key, long Size, DateTimeOffset LastModified);
