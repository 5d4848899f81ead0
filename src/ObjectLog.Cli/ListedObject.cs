using System.Text.Json.Serialization;

namespace ObjectLog.Cli;

/// <summary>
/// One object as <c>ls --json</c> prints it; kind is batch, merged, manifest…, consumer (a named consumer's state, which
/// readers ignore; its state is live) or foreign (not ObjectLog's, ignored);
/// state is live, superseded, uncommitted, garbage or foreign (see docs/format.md), or unknown when a corrupt manifest
/// leaves the log without a read plan.
/// On a folder store an entry that is not a regular file (a symbolic link, FIFO, socket or device) is foreign, with
/// no bytes or time, and <c>not_the_logs</c> saying what it is: the store never reads it.
/// </summary>
internal sealed record ListedObject(string Key, long? Bytes, string Kind, string? Modified, string State, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NotTheLogs = null);
