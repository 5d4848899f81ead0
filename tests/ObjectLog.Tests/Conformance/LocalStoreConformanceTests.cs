using ObjectLog.Storage;

namespace ObjectLog.Tests.Conformance;

public sealed class InMemoryStoreConformanceTests : ObjectStoreConformanceTests
{
    protected override IObjectStore Store { get; } = new InMemoryObjectStore();
}

public sealed class FileSystemStoreConformanceTests : ObjectStoreConformanceTests, IDisposable
{
    private readonly TempDirectory _dir = new();

    public FileSystemStoreConformanceTests() => Store = new FileSystemObjectStore(_dir.Path);

    protected override IObjectStore Store { get; }

    public void Dispose() => _dir.Dispose();
}
