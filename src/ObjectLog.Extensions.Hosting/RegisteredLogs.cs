using System.Collections.Concurrent;

namespace ObjectLog.Extensions.Hosting;

/// <summary>The logs one container has created so far, for the shutdown service.</summary>
internal sealed class RegisteredLogs
{
    private readonly ConcurrentDictionary<string, AppendLog> _created = new(StringComparer.Ordinal);

    public void Created(string name, AppendLog log) => _created[name] = log;

    /// <summary>The logs created so far; a log nobody resolved holds nothing to store.</summary>
    public IReadOnlyList<KeyValuePair<string, AppendLog>> Created() => [.. _created];
}

/// <summary>The names registered with <c>AddObjectLog</c> in one service collection, so a name is registered once.</summary>
internal sealed class RegisteredLogNames
{
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
}
