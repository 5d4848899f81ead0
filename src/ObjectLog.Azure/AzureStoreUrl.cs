using System.Runtime.CompilerServices;
using Azure.Storage.Blobs;
using ObjectLog.Storage;

namespace ObjectLog.Azure;

/// <summary>
/// The <c>az://CONTAINER[/PREFIX][?connection_string=…]</c> scheme of <see cref="ObjectStoreUrl"/>, registered when
/// this assembly loads. The connection string comes from the URL, else <c>AZURE_STORAGE_CONNECTION_STRING</c>; it
/// is never shown, even when it is malformed.
/// </summary>
internal static class AzureStoreUrl
{
#pragma warning disable CA2255 // A library module initializer is the point: referencing the package registers its scheme.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => ObjectStoreUrl.Register("az", "container", ["connection_string"], Open);

    internal static ObjectStoreLocation Open(StoreUrl url)
    {
        string connectionString = url.GetParameter("connection_string") ?? url.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING")
            ?? throw new ArgumentException("az:// needs a connection string: set AZURE_STORAGE_CONNECTION_STRING or add ?connection_string=… to the URL.", "url");
        BlobContainerClient client;
        try
        {
            var options = new BlobClientOptions();
            if (url.ClientPolicy is { } policy)
            {
                // The SDK's default (3 exponential retries, 100 s per attempt) keeps a CLI silent for most of a minute.
                options.Retry.MaxRetries = policy.MaxRetries;
                options.Retry.NetworkTimeout = policy.RequestTimeout;
                options.Retry.Delay = TimeSpan.FromMilliseconds(200);
                options.Retry.MaxDelay = TimeSpan.FromSeconds(1);
            }

            client = new BlobContainerClient(connectionString, url.Root, options);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new ArgumentException("the Azure connection string is not valid (its contents are not shown).", "url");
        }

        return new ObjectStoreLocation(new AzureBlobObjectStore(client), url.Prefix, $"{url.Description} at {client.Uri.GetLeftPart(UriPartial.Authority)}");
    }
}
