using ObjectLog.Storage;

namespace ObjectLog.Tests.Log;

public sealed class InMemoryStoreAcceptanceTests : AppendLogAcceptanceTests
{
    protected override IObjectStore Store { get; } = new InMemoryObjectStore();
}

public sealed class FileSystemStoreAcceptanceTests : AppendLogAcceptanceTests, IDisposable
{
    private readonly TempDirectory _dir = new();

    public FileSystemStoreAcceptanceTests() => Store = new FileSystemObjectStore(_dir.Path);

    protected override IObjectStore Store { get; }

    public void Dispose() => _dir.Dispose();
}
