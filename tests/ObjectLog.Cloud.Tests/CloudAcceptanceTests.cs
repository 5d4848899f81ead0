using ObjectLog.Cloud.Tests.Servers;
using ObjectLog.Storage;
using ObjectLog.Tests.Log;

namespace ObjectLog.Cloud.Tests;

[Collection(CephRgwCollection.Name)]
public sealed class S3OnCephAcceptanceTests(CephRgwFixture server) : AppendLogAcceptanceTests
{
    protected override IObjectStore Store { get; } = server.CreateStore();
}

[Collection(S3rverCollection.Name)]
public sealed class S3OnS3rverAcceptanceTests(S3rverFixture server) : AppendLogAcceptanceTests
{
    protected override IObjectStore Store { get; } = server.CreateStore();
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureOnAzuriteAcceptanceTests(AzuriteFixture server) : AppendLogAcceptanceTests
{
    protected override IObjectStore Store { get; } = server.CreateStore();
}
