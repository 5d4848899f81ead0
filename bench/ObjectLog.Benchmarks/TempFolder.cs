using ObjectLog.TestServers;

namespace ObjectLog.Benchmarks;

/// <summary>A folder under the system temp folder (on the same disk as the rest of /tmp), deleted on dispose.</summary>
internal sealed class TempFolder : IAsyncDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"objectlog-bench-{Guid.NewGuid():N}");

    public ValueTask DisposeAsync()
    {
        ServerProcesses.DeleteDirectory(Path);
        return ValueTask.CompletedTask;
    }
}
