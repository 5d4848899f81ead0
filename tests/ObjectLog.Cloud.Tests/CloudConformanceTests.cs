using ObjectLog.Cloud.Tests.Servers;
using ObjectLog.Storage;
using ObjectLog.Tests.Conformance;

namespace ObjectLog.Cloud.Tests;

[Collection(CephRgwCollection.Name)]
public sealed class S3OnCephConformanceTests(CephRgwFixture server) : ObjectStoreConformanceTests
{
    protected override IObjectStore Store { get; } = server.CreateStore();

    protected override bool ContentAddressedVersions => true;
}

[Collection(S3rverCollection.Name)]
public sealed class S3OnS3rverConformanceTests(S3rverFixture server) : ObjectStoreConformanceTests
{
    protected override IObjectStore Store { get; } = server.CreateStore();

    protected override string? CreateOnlyUnsupportedReason => S3rverFixture.NoCreateOnlyReason;

    /// <summary>s3rver ignores <c>If-Match</c>: its store is configured without conditional updates, and refuses them.</summary>
    protected override bool ConditionalUpdateExpected => false;
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureOnAzuriteConformanceTests(AzuriteFixture server) : ObjectStoreConformanceTests
{
    protected override IObjectStore Store { get; } = server.CreateStore();
}
