using Amazon.S3;
using ObjectLog.S3;
using ObjectLog.TestServers;

namespace ObjectLog.Cloud.Tests.Servers;

/// <summary>One <see cref="CephRgwServer"/> for the whole test run (see it for the environment variables that point the tests elsewhere).</summary>
public sealed class CephRgwFixture : IAsyncLifetime
{
    public const string EndpointVariable = CephRgwServer.EndpointVariable;

    private CephRgwServer _server = null!;

    public Uri Endpoint => _server.Endpoint;

    public string AccessKey => _server.AccessKey;

    public string SecretKey => _server.SecretKey;

    public string Region => _server.Region;

    public string BucketName => _server.BucketName;

    public IAmazonS3 Client => _server.Client;

    public async Task InitializeAsync() => _server = await CephRgwServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public S3ObjectStore CreateStore(S3ObjectStoreOptions? options = null) => _server.CreateStore(options);
}

[CollectionDefinition(Name)]
public sealed class CephRgwCollection : ICollectionFixture<CephRgwFixture>
{
    public const string Name = "Ceph RGW";
}
