using ObjectLog.Cloud.Tests.Servers;
using ObjectLog.Tests;
using ObjectLog.Tests.Consumers;

namespace ObjectLog.Cloud.Tests;

/// <summary>Named consumers in separate <c>objlog</c> processes on a real server, owners killed with SIGKILL (see <see cref="ConsumerKillLoop"/>).</summary>
[Collection(CephRgwCollection.Name)]
public sealed class S3OnCephConsumerProcessTests(CephRgwFixture server) : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Owners_killed_in_a_loop_lose_nothing_and_repeat_nothing_they_committed()
    {
        string prefix = $"consumers-{Guid.NewGuid():N}";
        var environment = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = server.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = server.SecretKey,
            ["AWS_REGION"] = server.Region,
        };
        string[] log = ["--store", $"s3://{server.BucketName}/{prefix}?endpoint={server.Endpoint}", "--log", "journal"];
        await ConsumerKillLoop.RunAsync(server.CreateStore(), $"{prefix}/journal", log, environment, kills: 3, _dir.Path);
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>As <see cref="S3OnCephConsumerProcessTests"/>, on Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureOnAzuriteConsumerProcessTests(AzuriteFixture server) : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Owners_killed_in_a_loop_lose_nothing_and_repeat_nothing_they_committed()
    {
        string prefix = $"consumers-{Guid.NewGuid():N}";
        var environment = new Dictionary<string, string>
        {
            ["AZURE_STORAGE_CONNECTION_STRING"] = $"DefaultEndpointsProtocol=http;AccountName={AzuriteFixture.AccountName};AccountKey={AzuriteFixture.AccountKey};BlobEndpoint={server.ServiceUri};",
        };
        string[] log = ["--store", $"az://{AzuriteFixture.ContainerName}/{prefix}", "--log", "journal"];
        await ConsumerKillLoop.RunAsync(server.CreateStore(), $"{prefix}/journal", log, environment, kills: 3, _dir.Path);
    }

    public void Dispose() => _dir.Dispose();
}
