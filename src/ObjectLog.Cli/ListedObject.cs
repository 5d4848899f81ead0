namespace ObjectLog.Cli;

/// <summary>One object as <c>ls --json</c> prints it; kind is batch, merged, manifest… or foreign (not ObjectLog's, ignored).</summary>
internal sealed record ListedObject(string Key, long Bytes, string Kind, string Modified);
