namespace ObjectLog.Cli;

/// <summary>
/// One live object as <c>files --json</c> prints it: its key, where other programs find it (null for memory://), the
/// live byte range (offset and length, null when all of it is live), the bytes a reader reads and, when a manifest
/// says, its events.
/// </summary>
internal sealed record ListedFile(string Key, string? Path, long? Offset, long? Length, long Bytes, long? Events);
