namespace ObjectLog.Cli;

/// <summary>
/// One named consumer as <c>consumers --json</c> and <c>consumers reset --json</c> print it: its position as stored
/// (<c>{batch}:{line}</c>, or null for the beginning), times in UTC (ISO 8601), lag in seconds behind the newest
/// stored batch (null for an empty log), and events behind where they are known without reading the log.
/// </summary>
internal sealed record ListedConsumer(
    string Name,
    string? Position,
    string? CommittedAt,
    string? Owner,
    string? LeaseExpires,
    double? LagSeconds,
    long? EventsBehind,
    string StoredAt);
