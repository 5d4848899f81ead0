using ObjectLog.Storage;

namespace ObjectLog.Tests.Consumers;

/// <summary>Named consumers in separate processes on the filesystem store, owners killed with SIGKILL (see <see cref="ConsumerKillLoop"/>).</summary>
public sealed class ConsumerProcessTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Owners_killed_in_a_loop_lose_nothing_and_repeat_nothing_they_committed()
    {
        var store = new FileSystemObjectStore(_dir.Path);
        await ConsumerKillLoop.RunAsync(store, "journal", ["--store", _dir.Path, "--log", "journal"], environment: null, kills: 4, _dir.Path);
    }

    public void Dispose() => _dir.Dispose();
}
