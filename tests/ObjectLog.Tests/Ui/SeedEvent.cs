namespace ObjectLog.Tests.Ui;

/// <summary>An event to store at <paramref name="BatchTime"/>, and the level the viewer must give it (<see langword="null"/>: none).</summary>
public sealed record SeedEvent(DateTimeOffset BatchTime, string Json, string? Level);

/// <summary>A seeded event as stored: where it is, its text and its level.</summary>
public sealed record StoredEvent(LogPosition Position, string Raw, string? Level);
