using System.Net;
using System.Text;
using ObjectLog.Internal;
using ObjectLog.S3;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Storage;

/// <summary>
/// What the S3 store sends with a checksummed PUT, and how it takes each answer, against a scripted endpoint: the
/// test servers (Ceph RGW 16, s3rver) accept the header without checking it, so only a script can answer as
/// Amazon S3 does to damaged bytes, or as a server that refuses the header.
/// </summary>
public sealed class S3ChecksumTests : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<(string Method, string? Checksum, string? Algorithm)> _requests = [];
    private readonly Queue<(int Status, string Code, string Message)> _answers = new();
    private readonly Task _serving;
    private readonly Uri _endpoint;

    public S3ChecksumTests()
    {
        int port = Loopback.FreePort();
        _endpoint = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(_endpoint.ToString());
        _listener.Start();
        _serving = ServeAsync();
    }

    [Fact]
    public async Task A_put_carries_the_callers_crc32c_for_the_server_to_check()
    {
        S3ObjectStore store = Store();
        byte[] data = "{\"a\":1}\n"u8.ToArray();
        uint crc = Crc32C.Compute(data);
        await store.PutAsync("log/batch", new MemoryStream(data), PutMode.Overwrite, crc);
        await store.PutAsync("log/plain", new MemoryStream(data), PutMode.Overwrite);

        Assert.Equal(2, _requests.Count);
        Assert.Equal(Convert.ToBase64String([(byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc]), _requests[0].Checksum);
        Assert.Null(_requests[1].Checksum);
    }

    [Fact]
    public async Task Damaged_bytes_refused_by_the_server_are_a_transient_error_saying_so()
    {
        S3ObjectStore store = Store();
        _answers.Enqueue((400, "BadDigest", "The CRC32C you specified did not match the calculated checksum."));
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutAsync("log/batch", new MemoryStream("x\n"u8.ToArray()), PutMode.Overwrite, 7u));
        Assert.Contains("do not match the CRC-32C", e.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was stored", e.Message, StringComparison.Ordinal);
        Assert.True(e.IsTransient); // the pipeline keeps the bytes and retries: damage on the wire goes away
    }

    [Fact]
    public async Task A_server_that_refuses_the_header_is_asked_again_without_it_and_never_again_with_it()
    {
        S3ObjectStore store = Store();
        _answers.Enqueue((400, "InvalidArgument", "x-amz-checksum-crc32c: checksum algorithm not supported"));
        await store.PutAsync("log/one", new MemoryStream("x\n"u8.ToArray()), PutMode.Overwrite, 1u);
        await store.PutAsync("log/two", new MemoryStream("y\n"u8.ToArray()), PutMode.Overwrite, 2u);

        Assert.Equal([true, false, false], _requests.Select(r => r.Checksum is not null));
    }

    [Fact]
    public async Task SendChecksums_false_sends_none()
    {
        S3ObjectStore store = Store(new S3ObjectStoreOptions { SendChecksums = false });
        await store.PutAsync("log/one", new MemoryStream("x\n"u8.ToArray()), PutMode.Overwrite, 1u);
        Assert.Null(Assert.Single(_requests).Checksum);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private S3ObjectStore Store(S3ObjectStoreOptions? options = null)
        => new(S3ObjectStore.CreateClient(_endpoint, "test-access-key", "test-secret-key", maxErrorRetry: 0), "bucket", options);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            await context.Request.InputStream.CopyToAsync(Stream.Null);
            lock (_requests)
            {
                _requests.Add((context.Request.HttpMethod, context.Request.Headers["x-amz-checksum-crc32c"], context.Request.Headers["x-amz-sdk-checksum-algorithm"]));
            }

            HttpListenerResponse response = context.Response;
            if (_answers.TryDequeue(out var answer))
            {
                response.StatusCode = answer.Status;
                response.ContentType = "application/xml";
                byte[] body = Encoding.UTF8.GetBytes($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{answer.Code}</Code><Message>{answer.Message}</Message><RequestId>1</RequestId></Error>");
                await response.OutputStream.WriteAsync(body);
            }
            else
            {
                response.StatusCode = 200;
                response.Headers["ETag"] = "\"0\"";
            }

            response.Close();
        }
    }
}
