using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using ObjectLog.Cloud.Tests.Servers;
using ObjectLog.S3;
using ObjectLog.Storage;

namespace ObjectLog.Cloud.Tests;

/// <summary>
/// What the S3-compatible servers the tests run do with <c>If-Match</c> on PUT, asked with the bare SDK: the grounds
/// for how <see cref="S3ObjectStore"/> sends it and for which servers it is configured without conditional updates.
/// </summary>
internal static class IfMatchProbe
{
    public static async Task<string> PutAsync(IAmazonS3 client, string bucket, string key, string body, string? ifMatch = null)
    {
        var request = new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = body, IfMatch = ifMatch, UseChunkEncoding = false };
        return (await client.PutObjectAsync(request)).ETag;
    }

    public static async Task<string> ReadAsync(IAmazonS3 client, string bucket, string key)
    {
        using GetObjectResponse response = await client.GetObjectAsync(bucket, key);
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }
}

[Collection(CephRgwCollection.Name)]
public sealed class CephRgwIfMatchTests(CephRgwFixture server)
{
    [Fact]
    public async Task Ceph_RGW_enforces_If_Match_on_PUT_but_only_with_the_ETag_unquoted()
    {
        string key = $"if-match-{Guid.NewGuid():N}";
        string etag = await IfMatchProbe.PutAsync(server.Client, server.BucketName, key, "one");
        Assert.StartsWith("\"", etag, StringComparison.Ordinal);
        string bare = etag.Trim('"');

        // The ETag as S3 returns it and HTTP wants it, quoted: refused although it matches.
        var quoted = await Assert.ThrowsAsync<AmazonS3Exception>(() => IfMatchProbe.PutAsync(server.Client, server.BucketName, key, "two", etag));
        Assert.Equal(HttpStatusCode.PreconditionFailed, quoted.StatusCode);
        Assert.Equal("one", await IfMatchProbe.ReadAsync(server.Client, server.BucketName, key));

        // Bare: the write lands, and the old ETag no longer matches.
        string second = await IfMatchProbe.PutAsync(server.Client, server.BucketName, key, "two", bare);
        Assert.NotEqual(etag, second);
        var stale = await Assert.ThrowsAsync<AmazonS3Exception>(() => IfMatchProbe.PutAsync(server.Client, server.BucketName, key, "three", bare));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("two", await IfMatchProbe.ReadAsync(server.Client, server.BucketName, key));
    }

    [Fact]
    public async Task The_store_updates_through_Ceph_RGW_after_learning_the_bare_form_and_keeps_refusing_stale_versions()
    {
        S3ObjectStore store = server.CreateStore();
        string key = $"if-match-{Guid.NewGuid():N}";
        string v1 = await store.PutVersionedAsync(key, "1"u8.ToArray(), PutMode.Create, null);
        string v2 = await store.PutVersionedAsync(key, "2"u8.ToArray(), PutMode.Update, v1);
        string v3 = await store.PutVersionedAsync(key, "3"u8.ToArray(), PutMode.Update, v2);
        await Assert.ThrowsAsync<ObjectChangedException>(() => store.PutVersionedAsync(key, "4"u8.ToArray(), PutMode.Update, v1));
        VersionedObject read = await store.GetVersionedAsync(key);
        Assert.Equal("3"u8.ToArray(), read.Content.ToArray());
        Assert.Equal(v3, read.Version);
    }
}

[Collection(S3rverCollection.Name)]
public sealed class S3rverIfMatchTests(S3rverFixture server)
{
    [Fact]
    public async Task S3rver_ignores_If_Match_so_its_store_refuses_conditional_updates()
    {
        string key = $"if-match-{Guid.NewGuid():N}";
        await IfMatchProbe.PutAsync(server.Client, S3rverFixture.BucketName, key, "one");

        // A version that never existed, in both forms: s3rver writes anyway. An update there would be silently unsafe.
        await IfMatchProbe.PutAsync(server.Client, S3rverFixture.BucketName, key, "two", "\"0123456789abcdef0123456789abcdef\"");
        await IfMatchProbe.PutAsync(server.Client, S3rverFixture.BucketName, key, "three", "0123456789abcdef0123456789abcdef");
        Assert.Equal("three", await IfMatchProbe.ReadAsync(server.Client, S3rverFixture.BucketName, key));

        S3ObjectStore store = server.CreateStore();
        Assert.False(store.SupportsConditionalUpdate);
        await Assert.ThrowsAsync<NotSupportedException>(() => store.PutVersionedAsync(key, "four"u8.ToArray(), PutMode.Update, "\"0123456789abcdef0123456789abcdef\""));
        Assert.Equal("three", await IfMatchProbe.ReadAsync(server.Client, S3rverFixture.BucketName, key));
    }

    [Fact]
    public async Task A_consumer_on_s3rver_is_refused_with_the_reason_and_writes_nothing()
    {
        string prefix = $"consumer-{Guid.NewGuid():N}";
        S3ObjectStore store = server.CreateStore();
        await using var log = new AppendLog(store, prefix);
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => log.CreateConsumer("billing"));
        Assert.Contains("conditional", e.Message, StringComparison.Ordinal);
        Assert.Empty(await store.ListAsync(prefix + "/").ToListAsync());
    }
}
