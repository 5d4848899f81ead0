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

/// <summary>A short run of the model-based fault test on each server (the long runs are local: OBJECTLOG_MODEL_ITERATIONS).</summary>
[Collection(CephRgwCollection.Name)]
public sealed class S3OnCephModelTests(CephRgwFixture server)
{
    [Fact]
    public Task Random_operations_with_faults_match_the_model() => AppendLogModel.RunRandomSequencesAsync(server.CreateStore(), sequences: 12, maxOperations: 30);
}

[Collection(S3rverCollection.Name)]
public sealed class S3OnS3rverModelTests(S3rverFixture server)
{
    [Fact]
    public Task Random_operations_with_faults_match_the_model() => AppendLogModel.RunRandomSequencesAsync(server.CreateStore(), sequences: 12, maxOperations: 30);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureOnAzuriteModelTests(AzuriteFixture server)
{
    [Fact]
    public Task Random_operations_with_faults_match_the_model() => AppendLogModel.RunRandomSequencesAsync(server.CreateStore(), sequences: 12, maxOperations: 30);
}
