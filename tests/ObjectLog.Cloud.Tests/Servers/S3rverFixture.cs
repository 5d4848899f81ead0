using Amazon.S3;
using ObjectLog.S3;
using ObjectLog.TestServers;

namespace ObjectLog.Cloud.Tests.Servers;

/// <summary>One <see cref="S3rverServer"/> for the whole test run.</summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    public const string AccessKey = S3rverServer.AccessKey;

    public const string SecretKey = S3rverServer.SecretKey;

    public const string BucketName = S3rverServer.BucketName;

    public const string NoCreateOnlyReason = S3rverServer.NoCreateOnlyReason;

    private S3rverServer _server = null!;

    public Uri Endpoint => _server.Endpoint;

    public IAmazonS3 Client => _server.Client;

    public async Task InitializeAsync() => _server = await S3rverServer.StartAsync();

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
public sealed class S3rverCollection : ICollectionFixture<S3rverFixture>
{
    public const string Name = "s3rver";
}
