using ObjectLog.Tests;
using System.Diagnostics;
using Amazon.S3;
using Amazon.S3.Model;
using ObjectLog.Cloud.Tests.Servers;
using ObjectLog.TestServers;
using ObjectLog.S3;
using ObjectLog.Storage;

namespace ObjectLog.Cloud.Tests;

/// <summary>What the S3 store adds to the conformance suite, on a real S3 implementation: errors, multipart edges.</summary>
[Collection(CephRgwCollection.Name)]
public sealed class S3StoreTests(CephRgwFixture server)
{
    private const int PartSize = S3ObjectStoreOptions.MinPartSize;

    private readonly string _root = $"s3-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_missing_bucket_is_an_error_naming_the_bucket_not_a_missing_object()
    {
        using IAmazonS3 client = UnpooledClient(server.AccessKey, server.SecretKey);
        string bucket = $"no-such-bucket-{Guid.NewGuid():N}"[..30];
        var store = new S3ObjectStore(client, bucket);

        foreach (Func<Task> call in new Func<Task>[]
        {
            () => store.GetAsync($"{_root}/k"),
            () => store.DeleteAsync($"{_root}/k"),
            () => store.ListSortedAsync(_root),
            () => store.PutAsync($"{_root}/k", "x"u8.ToArray()), // last: see UnpooledClient
        })
        {
            var e = await Assert.ThrowsAsync<ObjectStoreException>(call);
            Assert.Contains($"bucket '{bucket}' does not exist", e.Message, StringComparison.Ordinal);
            Assert.Contains(server.Endpoint.Authority, e.Message, StringComparison.Ordinal);
            Assert.False(e.IsTransient);
        }
    }

    [Fact]
    public async Task Wrong_credentials_give_a_clear_error_without_the_secret()
    {
        const string wrongSecret = "wrong-secret-0123456789-abcdefghij";
        using IAmazonS3 client = UnpooledClient(server.AccessKey, wrongSecret);
        var store = new S3ObjectStore(client, server.BucketName);

        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutAsync($"{_root}/k", "x"u8.ToArray()));
        Assert.Contains("check the access key", e.Message, StringComparison.Ordinal);
        Assert.Contains(server.BucketName, e.Message, StringComparison.Ordinal);
        Assert.False(e.IsTransient);
        Assert.DoesNotContain(wrongSecret, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(server.SecretKey, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_access_key_gives_a_clear_error()
    {
        using IAmazonS3 client = UnpooledClient("no-such-access-key", "some-secret-value-123");
        var store = new S3ObjectStore(client, server.BucketName);

        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => store.GetAsync($"{_root}/k"));
        Assert.IsNotType<ObjectNotFoundException>(e);
        Assert.Contains("check the access key", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("some-secret-value-123", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_a_transient_error_after_retries_naming_the_endpoint()
    {
        var endpoint = new Uri($"http://127.0.0.1:{ServerProcesses.FreePort()}");
        using IAmazonS3 client = S3ObjectStore.CreateClient(endpoint, "key", "secret-not-shown", maxErrorRetry: 2);
        var store = new S3ObjectStore(client, "bucket");
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutAsync($"{_root}/k", "x"u8.ToArray()));
        Assert.True(e.IsTransient);
        Assert.Contains(endpoint.Authority, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-not-shown", e.ToString(), StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_multipart_create_over_an_existing_key_fails_and_keeps_the_original()
    {
        // Ceph RGW ignores If-None-Match on CompleteMultipartUpload; the store checks for the key before it starts,
        // which catches every writer that isn't racing this one.
        S3ObjectStore store = server.CreateStore(new S3ObjectStoreOptions { PartSize = PartSize });
        string key = $"{_root}/big";
        await store.PutAsync(key, "original"u8.ToArray(), PutMode.Create);

        await Assert.ThrowsAsync<ObjectAlreadyExistsException>(() => store.PutAsync(key, new MemoryStream(new byte[PartSize + 10]), PutMode.Create));
        Assert.Equal("original"u8.ToArray(), await store.GetBytesAsync(key));
    }

    [Fact]
    public async Task A_multipart_put_whose_source_fails_leaves_no_object_and_no_upload_and_rethrows_the_source_error()
    {
        S3ObjectStore store = server.CreateStore(new S3ObjectStoreOptions { PartSize = PartSize });
        string key = $"{_root}/broken";

        var e = await Assert.ThrowsAsync<IOException>(() => store.PutAsync(key, new FailingStream(PartSize + 1000), PutMode.Overwrite));
        Assert.Equal("the source broke", e.Message);
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.GetAsync(key));
        ListMultipartUploadsResponse uploads = await server.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = server.BucketName, Prefix = key });
        Assert.Empty(uploads.MultipartUploads ?? []);
    }

    [Theory]
    [InlineData("batch_0001796187463744302.jsonl", 10, "application/jsonl")]
    [InlineData("batch_0001796187463744302~0001796187463744303~00000000000000ab.jsonl", PartSize + 10, "application/jsonl")] // merged data, in parts
    [InlineData("batch_0001796187463744302~0001796187463744303~00000000000000ab.manifest.json", 10, "application/json")]
    [InlineData("batch_0001796187463744302.c0000abcd.jsonl.zst", 10, "application/zstd")]
    [InlineData("batch_0001796187463744302~0001796187463744303~00000000000000ab.c0000abcd.jsonl.zst", PartSize + 10, "application/zstd")]
    [InlineData("batch_0001796187463744302.c0000abcd.jsonl.gz", 10, "application/gzip")]
    [InlineData("notes.txt", 10, "application/octet-stream")]
    [InlineData("big.bin", PartSize + 10, "application/octet-stream")]
    public async Task Objects_carry_the_content_type_their_extension_names(string name, int size, string contentType)
    {
        S3ObjectStore store = server.CreateStore(new S3ObjectStoreOptions { PartSize = PartSize });
        string key = $"{_root}/{name}";
        await store.PutAsync(key, new MemoryStream(new byte[size]), PutMode.Create);

        GetObjectMetadataResponse head = await server.Client.GetObjectMetadataAsync(server.BucketName, key);
        Assert.Equal(contentType, head.Headers.ContentType);
        Assert.True(string.IsNullOrEmpty(head.Headers.ContentEncoding), $"Content-Encoding '{head.Headers.ContentEncoding}': clients would decode a compressed batch silently");
        Assert.Equal(size, head.ContentLength);
    }

    [Fact]
    public async Task Objects_of_exactly_one_part_and_one_part_plus_a_byte_round_trip()
    {
        S3ObjectStore store = server.CreateStore(new S3ObjectStoreOptions { PartSize = PartSize });
        foreach (int size in new[] { PartSize, PartSize + 1 })
        {
            byte[] data = new byte[size];
            new Random(size).NextBytes(data);
            await store.PutAsync($"{_root}/{size}", new MemoryStream(data), PutMode.Create);
            byte[] back = await store.GetBytesAsync($"{_root}/{size}");
            Assert.True(data.AsSpan().SequenceEqual(back), $"size {size} differs");
        }
    }

    /// <summary>
    /// A client with connections of its own. Ceph RGW 16 answers a PUT it refuses early (missing bucket, bad
    /// credentials) without reading the body and keeps the connection open, so the next request on that connection
    /// fails with 405; the SDK shares connections between clients by default, which would spread that to other tests.
    /// </summary>
    private IAmazonS3 UnpooledClient(string accessKey, string secretKey)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = server.Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = server.Region,
            RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
            CacheHttpClient = false,
        };
        return new AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials(accessKey, secretKey), config);
    }

    [Fact]
    public void Options_refuse_part_sizes_S3_cannot_take()
    {
        var options = new S3ObjectStoreOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.PartSize = S3ObjectStoreOptions.MinPartSize - 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.PartSize = S3ObjectStoreOptions.MaxPartSize + 1);
        Assert.Equal(8 * 1024 * 1024, options.PartSize);
    }
}

/// <summary>s3rver's traps: aws-chunked bodies stored verbatim, and no create-only enforcement.</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3rverTests(S3rverFixture server)
{
    private readonly string _root = $"s3rver-{Guid.NewGuid():N}";

    private static byte[] Data(int size)
    {
        byte[] data = new byte[size];
        new Random(size).NextBytes(data);
        return data;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100_000)]
    [InlineData(5 * 1024 * 1024 + 3)]
    public async Task Round_trip_is_byte_exact_with_chunk_encoding_left_on_auto(int size)
    {
        S3ObjectStore store = server.CreateStore(new S3ObjectStoreOptions { SupportsCreateOnly = false, PartSize = S3ObjectStoreOptions.MinPartSize });
        byte[] data = Data(size);
        await store.PutAsync($"{_root}/{size}", data);

        byte[] back = await store.GetBytesAsync($"{_root}/{size}");
        Assert.Equal(size, back.Length);
        Assert.True(data.AsSpan().SequenceEqual(back), "content differs");
        Assert.Equal(size, Assert.Single(await store.ListSortedAsync($"{_root}/{size}")).Size);
    }

    [Fact]
    public async Task With_chunk_encoding_forced_on_s3rver_stores_the_framing_which_is_why_auto_turns_it_off()
    {
        S3ObjectStore store = server.CreateStore(new S3ObjectStoreOptions { SupportsCreateOnly = false, UseChunkEncoding = true });
        byte[] data = Data(1000);
        await store.PutAsync($"{_root}/chunked", data);

        byte[] back = await store.GetBytesAsync($"{_root}/chunked");
        Assert.False(data.AsSpan().SequenceEqual(back), "s3rver now decodes aws-chunked bodies; the UseChunkEncoding default could be revisited");
    }

    [Fact]
    public async Task Create_only_is_check_then_write_there_and_still_refuses_an_existing_key()
    {
        S3ObjectStore store = server.CreateStore();
        Assert.False(store.SupportsCreateOnly);
        await store.PutAsync($"{_root}/c", "original"u8.ToArray(), PutMode.Create);

        await Assert.ThrowsAsync<ObjectAlreadyExistsException>(() => store.PutAsync($"{_root}/c", "intruder"u8.ToArray(), PutMode.Create));
        Assert.Equal("original"u8.ToArray(), await store.GetBytesAsync($"{_root}/c"));
    }
}
