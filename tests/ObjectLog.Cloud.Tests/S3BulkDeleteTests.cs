using System.Collections.Concurrent;
using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using ObjectLog.Cloud.Tests.Servers;
using ObjectLog.S3;
using ObjectLog.Storage;
using Xunit.Abstractions;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Cloud.Tests;

/// <summary>The S3 store's bulk delete on Ceph RGW, counted on the wire.</summary>
[Collection(CephRgwCollection.Name)]
public sealed class S3BulkDeleteTests(CephRgwFixture server, ITestOutputHelper output)
{
    private readonly string _root = $"s3-bulk-{Guid.NewGuid():N}";

    [Fact]
    public async Task Compacting_a_thousand_batches_deletes_them_in_a_handful_of_requests_not_a_thousand()
    {
        var wire = new CountingHttpClientFactory();
        using IAmazonS3 client = CountingClient(server.AccessKey, server.SecretKey, wire);
        S3ObjectStore store = new(client, server.BucketName);
        string[] expected = Enumerable.Range(0, 1_000).Select(i => Json(0, i)).ToArray();
        await using (var writer = new AppendLog(store, _root, Quiet(threshold: 1)))
        {
            foreach (string e in expected)
            {
                await writer.AppendAsync(E(e));
            }
        }

        Assert.Equal(1_000, (await store.ListSortedAsync($"{_root}/")).Count);
        wire.Reset();
        await using var log = new AppendLog(store, _root, Quiet());
        await log.CompactAsync();
        (int deleteObjects, int deleteObject) = (wire.Count("POST ?delete"), wire.Count("DELETE"));
        output.WriteLine($"Compaction of 1,000 batches, requests on the wire: {wire}; DeleteObjects checksum headers: {wire.DeleteChecksumHeaders}");

        Assert.True(deleteObjects is >= 1 and <= 3, $"{deleteObjects} DeleteObjects requests; all requests: {wire}");
        Assert.Equal(0, deleteObject);
        Assert.Equal(expected, Texts(await log.ReadAllAsync()));
        Assert.Equal(3, (await store.ListSortedAsync($"{_root}/")).Count); // the merged object, its end marker and its manifest
    }

    [Fact]
    public async Task A_bulk_delete_in_a_missing_bucket_fails_every_key_naming_the_bucket()
    {
        using IAmazonS3 client = CountingClient(server.AccessKey, server.SecretKey, new CountingHttpClientFactory());
        string bucket = $"no-such-bucket-{Guid.NewGuid():N}"[..30];
        var store = new S3ObjectStore(client, bucket);
        string[] keys = [$"{_root}/a", $"{_root}/b"];

        var e = await Assert.ThrowsAsync<BulkDeleteException>(() => store.DeleteManyAsync(keys));

        Assert.Equal(keys, e.Failures.Keys);
        Assert.Empty(e.Deleted);
        Assert.Contains($"bucket '{bucket}' does not exist", e.Message, StringComparison.Ordinal);
        Assert.False(e.IsTransient);
    }

    /// <summary>
    /// A client on its own connections (see S3StoreTests.UnpooledClient for why), whose HTTP handler counts every
    /// request that goes on the wire, retries included.
    /// </summary>
    private IAmazonS3 CountingClient(string accessKey, string secretKey, CountingHttpClientFactory wire)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = server.Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = server.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            HttpClientFactory = wire,
        };
        return new AmazonS3Client(new BasicAWSCredentials(accessKey, secretKey), config);
    }
}

/// <summary>How the S3 store reads a <c>DeleteObjects</c> answer, on answers a server would rarely give.</summary>
public sealed class S3DeleteObjectsResponseTests
{
    [Fact]
    public async Task Errors_and_keys_the_response_does_not_mention_are_failures_and_only_confirmed_keys_are_deleted()
    {
        using var client = new ScriptedDeleteObjectsClient(keys => new DeleteObjectsResponse
        {
            DeletedObjects = [new DeletedObject { Key = "k/ok-1" }, new DeletedObject { Key = "k/ok-2" }, new DeletedObject { Key = "k/not-asked" }],
            DeleteErrors =
            [
                new DeleteError { Key = "k/denied", Code = "AccessDenied", Message = "Access Denied" },
                new DeleteError { Key = "k/busy", Code = "InternalError", Message = "try again" },
                new DeleteError { Key = "k/gone", Code = "NoSuchKey", Message = "no such key" },
            ],
        });
        var store = new S3ObjectStore(client, "bucket");

        var e = await Assert.ThrowsAsync<BulkDeleteException>(() => store.DeleteManyAsync(["k/ok-1", "k/denied", "k/busy", "k/gone", "k/ok-2", "k/forgotten"]));

        Assert.Equal(["k/busy", "k/denied", "k/forgotten"], e.Failures.Keys);
        Assert.Equal(["k/gone", "k/ok-1", "k/ok-2"], e.Deleted.Order(StringComparer.Ordinal));
        Assert.Contains("check the access key", e.Failures["k/denied"].Message, StringComparison.Ordinal);
        Assert.False(e.Failures["k/denied"].IsTransient);
        Assert.True(e.Failures["k/busy"].IsTransient);
        Assert.Contains("InternalError", e.Failures["k/busy"].Message, StringComparison.Ordinal);
        Assert.Contains("did not report", e.Failures["k/forgotten"].Message, StringComparison.Ordinal);
        Assert.All(e.Failures, f => Assert.Equal(f.Key, f.Value.Key));
    }

    [Fact]
    public async Task Keys_go_a_thousand_to_a_request_and_an_empty_list_sends_none()
    {
        var requests = new ConcurrentBag<int>();
        using var client = new ScriptedDeleteObjectsClient(keys =>
        {
            requests.Add(keys.Count);
            return new DeleteObjectsResponse { DeletedObjects = keys.Select(k => new DeletedObject { Key = k.Key }).ToList() };
        });
        var store = new S3ObjectStore(client, "bucket");

        await store.DeleteManyAsync([]);
        Assert.Empty(requests);

        await store.DeleteManyAsync(Enumerable.Range(0, 2_500).Select(i => $"k/{i}").ToArray());
        Assert.Equal([500, 1000, 1000], requests.Order());
    }

    [Fact]
    public async Task A_request_that_fails_as_a_whole_fails_each_of_its_keys_and_not_the_other_requests_keys()
    {
        using var client = new ScriptedDeleteObjectsClient(keys => keys[0].Key == "k/0"
            ? throw new AmazonS3Exception("slow down", ErrorType.Receiver, "SlowDown", "request-id", HttpStatusCode.ServiceUnavailable)
            : new DeleteObjectsResponse { DeletedObjects = keys.Select(k => new DeletedObject { Key = k.Key }).ToList() });
        var store = new S3ObjectStore(client, "bucket");
        string[] keys = Enumerable.Range(0, 1_500).Select(i => $"k/{i}").ToArray();

        var e = await Assert.ThrowsAsync<BulkDeleteException>(() => store.DeleteManyAsync(keys));

        Assert.Equal(keys.Take(1_000).Order(StringComparer.Ordinal), e.Failures.Keys);
        Assert.Equal(keys.Skip(1_000), e.Deleted.Order(StringComparer.Ordinal));
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task A_server_without_DeleteObjects_gets_one_DeleteObject_a_key()
    {
        var singles = new ConcurrentBag<string>();
        using var client = new ScriptedDeleteObjectsClient(
            _ => throw new AmazonS3Exception("not implemented", ErrorType.Sender, "NotImplemented", "request-id", HttpStatusCode.NotImplemented),
            key => singles.Add(key));
        var store = new S3ObjectStore(client, "bucket");
        string[] keys = Enumerable.Range(0, 30).Select(i => $"k/{i}").ToArray();

        await store.DeleteManyAsync(keys);

        Assert.Equal(keys.Order(StringComparer.Ordinal), singles.Order(StringComparer.Ordinal));
    }

    /// <summary>An S3 client that never touches the network: <c>DeleteObjects</c> answers from a script.</summary>
    private sealed class ScriptedDeleteObjectsClient(Func<List<KeyVersion>, DeleteObjectsResponse> answer, Action<string>? deleteOne = null)
        : AmazonS3Client(new BasicAWSCredentials("key", "secret"), new AmazonS3Config { ServiceURL = "http://127.0.0.1:9", ForcePathStyle = true, MaxErrorRetry = 0 })
    {
        public override Task<DeleteObjectsResponse> DeleteObjectsAsync(DeleteObjectsRequest request, CancellationToken cancellationToken = default)
        {
            var keys = request.Objects.ToList();
            return Task.Run(() => answer(keys), cancellationToken);
        }

        public override Task<DeleteObjectResponse> DeleteObjectAsync(string bucketName, string key, CancellationToken cancellationToken = default)
        {
            (deleteOne ?? throw new InvalidOperationException("unexpected DeleteObject")).Invoke(key);
            return Task.FromResult(new DeleteObjectResponse());
        }
    }
}

/// <summary>Hands the AWS SDK one HttpClient whose handler records each request's method and query verb.</summary>
internal sealed class CountingHttpClientFactory : HttpClientFactory
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Lazy<HttpClient> _client;

    public CountingHttpClientFactory() => _client = new Lazy<HttpClient>(() => new HttpClient(new CountingHandler(this, new SocketsHttpHandler())));

    /// <summary>Requests of one kind seen since the last <see cref="Reset"/>: the method, or <c>POST ?delete</c> for <c>DeleteObjects</c>.</summary>
    public int Count(string kind) => _counts.GetValueOrDefault(kind);

    public void Reset() => _counts.Clear();

    /// <summary>The integrity headers the SDK put on the last <c>DeleteObjects</c> request (S3 requires one).</summary>
    public string DeleteChecksumHeaders { get; private set; } = "";

    public override string ToString() => string.Join(", ", _counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Value}"));

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => _client.Value;

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false; // one client, ours

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    private static string KindOf(HttpRequestMessage request)
    {
        string[] query = (request.RequestUri?.Query.TrimStart('?') ?? "").Split('&');
        return query.Any(p => p.Split('=')[0] == "delete") ? $"{request.Method} ?delete" : request.Method.Method;
    }

    private sealed class CountingHandler(CountingHttpClientFactory owner, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string kind = KindOf(request);
            owner._counts.AddOrUpdate(kind, 1, (_, n) => n + 1);
            if (kind == "POST ?delete")
            {
                IEnumerable<string> headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
                    .Where(h => h.Key.Equals("Content-MD5", StringComparison.OrdinalIgnoreCase) || h.Key.StartsWith("x-amz-checksum", StringComparison.OrdinalIgnoreCase) || h.Key.StartsWith("x-amz-sdk-checksum", StringComparison.OrdinalIgnoreCase))
                    .Select(h => h.Key);
                owner.DeleteChecksumHeaders = string.Join(", ", headers);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
