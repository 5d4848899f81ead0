namespace ObjectLog;

/// <summary>A stored event and where it is.</summary>
/// <param name="Position">Its stable position, usable as a checkpoint.</param>
/// <param name="Data">Its bytes, without the newline.</param>
public readonly record struct LogEvent(LogPosition Position, byte[] Data);
