using Azure.Storage.Blobs;
using ObjectLog.Azure;
using ObjectLog.TestServers;

namespace ObjectLog.Cloud.Tests.Servers;

/// <summary>One <see cref="AzuriteServer"/> for the whole test run.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string AccountName = AzuriteServer.AccountName;

    public const string AccountKey = AzuriteServer.AccountKey;

    public const string ContainerName = AzuriteServer.ContainerName;

    private AzuriteServer _server = null!;

    public Uri ServiceUri => _server.ServiceUri;

    public BlobContainerClient Container => _server.Container;

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public AzureBlobObjectStore CreateStore(AzureBlobObjectStoreOptions? options = null) => _server.CreateStore(options);

    public BlobContainerClient ContainerClient(string container, string accountKey, Uri? serviceUri = null) => _server.ContainerClient(container, accountKey, serviceUri);
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
