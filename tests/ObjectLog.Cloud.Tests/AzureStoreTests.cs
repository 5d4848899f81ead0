using ObjectLog.Tests;
using System.Diagnostics;
using Azure.Storage.Blobs;
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
