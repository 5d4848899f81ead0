using ObjectLog.Tests;
using System.Diagnostics;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using ObjectLog.Azure;
using ObjectLog.Cloud.Tests.Servers;
using ObjectLog.TestServers;
using ObjectLog.Storage;

namespace ObjectLog.Cloud.Tests;

/// <summary>What the Azure store adds to the conformance suite, on Azurite: errors and block-upload edges.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureStoreTests(AzuriteFixture server)
{
    private readonly string _root = $"az-{Guid.NewGuid():N}";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Checksummed_puts_carry_a_transactional_md5_unless_turned_off(bool send)
    {
        var recorder = new ContentMd5Recorder();
        var clientOptions = new BlobClientOptions();
        clientOptions.AddPolicy(recorder, global::Azure.Core.HttpPipelinePosition.PerRetry);
        var container = new BlobServiceClient(server.ServiceUri, new global::Azure.Storage.StorageSharedKeyCredential(AzuriteFixture.AccountName, AzuriteFixture.AccountKey), clientOptions)
            .GetBlobContainerClient(AzuriteFixture.ContainerName);
        var store = new AzureBlobObjectStore(container, new AzureBlobObjectStoreOptions { SendChecksums = send });

        byte[] data = "{\"a\":1}\n"u8.ToArray();
        await store.PutAsync($"{_root}/checked", new MemoryStream(data), PutMode.Create, 0x1234u);
        await store.PutAsync($"{_root}/plain", new MemoryStream(data), PutMode.Create);

        Assert.Equal(send ? Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(data)) : null, recorder.Sent["checked"]);
        Assert.Null(recorder.Sent["plain"]);
        Assert.Equal(data, await store.GetBytesAsync($"{_root}/checked"));
    }

    [Fact]
    public async Task Azurite_refuses_bytes_that_do_not_match_their_transactional_md5()
    {
        // What the MD5 buys: the service checks it. Shown with the SDK directly, since the store always sends the right one.
        var blob = server.Container.GetBlockBlobClient($"{_root}/damaged");
        var options = new global::Azure.Storage.Blobs.Models.BlockBlobStageBlockOptions
        {
            TransferValidation = new global::Azure.Storage.UploadTransferValidationOptions
            {
                ChecksumAlgorithm = global::Azure.Storage.StorageChecksumAlgorithm.MD5,
                PrecalculatedChecksum = System.Security.Cryptography.MD5.HashData("other bytes"u8),
            },
        };
        string blockId = Convert.ToBase64String("block-1"u8);
        var e = await Assert.ThrowsAsync<global::Azure.RequestFailedException>(() => blob.StageBlockAsync(blockId, new MemoryStream("{\"a\":1}\n"u8.ToArray()), options));
        Assert.Equal(400, e.Status);
        Assert.False(await blob.ExistsAsync());
    }

    /// <summary>Records the Content-MD5 of each blob PUT, by the last segment of the blob's name.</summary>
    private sealed class ContentMd5Recorder : global::Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
    {
        public Dictionary<string, string?> Sent { get; } = new(StringComparer.Ordinal);

        public override void OnSendingRequest(global::Azure.Core.HttpMessage message)
        {
            if (message.Request.Method == global::Azure.Core.RequestMethod.Put)
            {
                string key = message.Request.Uri.Path.Split('/')[^1]; // the blob's last name segment
                lock (Sent)
                {
                    Sent[key] = message.Request.Headers.TryGetValue("Content-MD5", out string? md5) ? md5 : null;
                }
            }
        }
    }

    [Fact]
    public async Task A_missing_container_is_an_error_naming_the_container_not_a_missing_object()
    {
        string container = $"no-such-container-{Guid.NewGuid():N}"[..30];
        var store = new AzureBlobObjectStore(server.ContainerClient(container, AzuriteFixture.AccountKey));

        foreach (Func<Task> call in new Func<Task>[]
        {
            () => store.PutAsync($"{_root}/k", "x"u8.ToArray()),
            () => store.GetAsync($"{_root}/k"),
            () => store.DeleteAsync($"{_root}/k"),
            () => store.ListSortedAsync(_root),
        })
        {
            var e = await Assert.ThrowsAsync<ObjectStoreException>(call);
            Assert.IsNotType<ObjectNotFoundException>(e);
            Assert.Contains($"container '{container}'", e.Message, StringComparison.Ordinal);
            Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
            Assert.False(e.IsTransient);
        }
    }

    [Fact]
    public async Task A_wrong_account_key_gives_a_clear_error_without_the_key()
    {
        string wrongKey = Convert.ToBase64String(Enumerable.Range(0, 64).Select(i => (byte)i).ToArray());
        var store = new AzureBlobObjectStore(server.ContainerClient(AzuriteFixture.ContainerName, wrongKey));

        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutAsync($"{_root}/k", "x"u8.ToArray()));
        Assert.Contains("check the account key", e.Message, StringComparison.Ordinal);
        Assert.Contains(AzuriteFixture.ContainerName, e.Message, StringComparison.Ordinal);
        Assert.False(e.IsTransient);
        Assert.DoesNotContain(wrongKey, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteFixture.AccountKey, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_a_transient_error_after_retries_naming_the_endpoint()
    {
        var endpoint = new Uri($"http://127.0.0.1:{ServerProcesses.FreePort()}/{AzuriteFixture.AccountName}");
        BlobContainerClient container = server.ContainerClient("c", AzuriteFixture.AccountKey, endpoint);
        var store = new AzureBlobObjectStore(container);
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutAsync($"{_root}/k", "x"u8.ToArray()));
        Assert.True(e.IsTransient);
        Assert.Contains(endpoint.Authority, e.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_block_upload_create_over_an_existing_key_fails_and_keeps_the_original()
    {
        AzureBlobObjectStore store = server.CreateStore(new AzureBlobObjectStoreOptions { BlockSize = 256 * 1024 });
        string key = $"{_root}/big";
        await store.PutAsync(key, "original"u8.ToArray(), PutMode.Create);

        await Assert.ThrowsAsync<ObjectAlreadyExistsException>(() => store.PutAsync(key, new MemoryStream(new byte[1024 * 1024]), PutMode.Create));
        Assert.Equal("original"u8.ToArray(), await store.GetBytesAsync(key));
    }

    [Fact]
    public async Task A_block_upload_whose_source_fails_leaves_no_object()
    {
        AzureBlobObjectStore store = server.CreateStore(new AzureBlobObjectStoreOptions { BlockSize = 256 * 1024 });
        string key = $"{_root}/broken";

        var e = await Assert.ThrowsAsync<IOException>(() => store.PutAsync(key, new FailingStream(700 * 1024), PutMode.Overwrite));
        Assert.Equal("the source broke", e.Message);
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.GetAsync(key));
    }

    [Theory]
    [InlineData("batch_0001796187463744302.jsonl", 10, "application/jsonl")]
    [InlineData("batch_0001796187463744302~0001796187463744303~00000000000000ab.jsonl", 700 * 1024, "application/jsonl")] // merged data, in blocks
    [InlineData("batch_0001796187463744302~0001796187463744303~00000000000000ab.manifest.json", 10, "application/json")]
    [InlineData("batch_0001796187463744302.c0000abcd.jsonl.zst", 10, "application/zstd")]
    [InlineData("batch_0001796187463744302~0001796187463744303~00000000000000ab.c0000abcd.jsonl.zst", 700 * 1024, "application/zstd")]
    [InlineData("batch_0001796187463744302.c0000abcd.jsonl.gz", 10, "application/gzip")]
    [InlineData("notes.txt", 10, "application/octet-stream")]
    [InlineData("big.bin", 700 * 1024, "application/octet-stream")]
    public async Task Blobs_carry_the_content_type_their_extension_names(string name, int size, string contentType)
    {
        AzureBlobObjectStore store = server.CreateStore(new AzureBlobObjectStoreOptions { BlockSize = 256 * 1024 });
        string key = $"{_root}/{name}";
        await store.PutAsync(key, new MemoryStream(new byte[size]), PutMode.Create);

        global::Azure.Storage.Blobs.Models.BlobProperties properties = (await server.Container.GetBlobClient(key).GetPropertiesAsync()).Value;
        Assert.Equal(contentType, properties.ContentType);
        Assert.True(string.IsNullOrEmpty(properties.ContentEncoding), $"Content-Encoding '{properties.ContentEncoding}': clients would decode a compressed batch silently");
        Assert.Equal(size, properties.ContentLength);
    }

    [Fact]
    public void Options_refuse_values_that_cannot_work()
    {
        var options = new AzureBlobObjectStoreOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.BlockSize = AzureBlobObjectStoreOptions.MinBlockSize - 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.BlockSize = AzureBlobObjectStoreOptions.MaxBlockSize + 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxConcurrency = 0);
        Assert.Equal(8 * 1024 * 1024, options.BlockSize);
    }
}
