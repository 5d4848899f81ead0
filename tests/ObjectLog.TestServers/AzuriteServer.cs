using System.Diagnostics;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Storage;
using Azure.Storage.Blobs;
using ObjectLog.Azure;

namespace ObjectLog.TestServers;

/// <summary>Azurite's blob service on 127.0.0.1 with a temporary data folder, started once for the test run.</summary>
public sealed partial class AzuriteServer : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account (public, not a secret).</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The development account's key, public and documented by Microsoft.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public const string ContainerName = "objectlog-tests";

    private Process? _process;
    private string? _dataDirectory;

    public Uri ServiceUri { get; private set; } = null!;

    public BlobContainerClient Container { get; private set; } = null!;

    private AzuriteServer()
    {
    }

    /// <summary>Starts Azurite's blob service and creates the container.</summary>
    public static Task<AzuriteServer> StartAsync()
        => ServerProcesses.StartOrDisposeAsync(new AzuriteServer(), server => server.InitializeAsync());

    private async Task InitializeAsync()
    {
        _dataDirectory = ServerProcesses.NewDataDirectory("azurite");
        (_process, Match ready) = await ServerProcesses.StartNodeAsync(
            "Azurite",
            "azurite/dist/src/blob/main.js",
            ["--blobHost", "127.0.0.1", "--blobPort", "0", "--location", _dataDirectory, "--silent", "--disableTelemetry", "--skipApiVersionCheck"],
            ListeningLine(),
            TimeSpan.FromSeconds(60));
        ServiceUri = new Uri($"{ready.Groups["url"].Value}/{AccountName}");
        Container = ContainerClient(ContainerName, AccountKey);
        await Container.CreateIfNotExistsAsync();
    }

    public ValueTask DisposeAsync()
    {
        ServerProcesses.Stop(_process);
        ServerProcesses.DeleteDirectory(_dataDirectory);
        return ValueTask.CompletedTask;
    }

    public AzureBlobObjectStore CreateStore(AzureBlobObjectStoreOptions? options = null) => new(Container, options);

    /// <summary>A client for a container on this server, with the given account key and few, quick retries.</summary>
    public BlobContainerClient ContainerClient(string container, string accountKey, Uri? serviceUri = null)
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        options.Retry.Mode = RetryMode.Fixed;
        var service = new BlobServiceClient(serviceUri ?? ServiceUri, new StorageSharedKeyCredential(AccountName, accountKey), options);
        return service.GetBlobContainerClient(container);
    }

    [GeneratedRegex(@"listens on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
