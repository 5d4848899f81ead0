namespace ObjectLog;

/// <summary>A stored event of a <see cref="JsonAppendLog{T}"/> and where it is.</summary>
/// <param name="Position">Its stable position, usable as a checkpoint.</param>
/// <param name="Value">The event, deserialized.</param>
public readonly record struct LogEvent<T>(LogPosition Position, T Value);
