using Amazon.S3;
using ObjectLog.S3;

namespace ObjectLog.TestServers;

/// <summary>
/// A real S3 implementation for the S3 store's tests: a throwaway Ceph RADOS Gateway on 127.0.0.1 started by
/// <c>tests/servers/ceph-rgw.sh</c> (needs root and the packages <c>install.sh</c> installs), or, when
/// <c>OBJECTLOG_TEST_S3_ENDPOINT</c> is set, that endpoint instead.
/// </summary>
/// <remarks>
/// With <c>OBJECTLOG_TEST_S3_ENDPOINT</c>, also set <c>OBJECTLOG_TEST_S3_ACCESS_KEY</c> and
/// <c>OBJECTLOG_TEST_S3_SECRET_KEY</c>; <c>OBJECTLOG_TEST_S3_BUCKET</c> names an existing bucket to use (else a
/// new one is made) and <c>OBJECTLOG_TEST_S3_REGION</c> the signing region (default us-east-1). The tests leave
/// their objects behind there, under random prefixes: use a throwaway bucket.
/// </remarks>
public sealed class CephRgwServer : IAsyncDisposable
{
    public const string EndpointVariable = "OBJECTLOG_TEST_S3_ENDPOINT";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    private string? _dataDirectory;

    public Uri Endpoint { get; private set; } = null!;

    public string AccessKey { get; private set; } = "objectlog-test";

    public string SecretKey { get; private set; } = "objectlog-test-secret";

    public string Region { get; private set; } = "us-east-1";

    public string BucketName { get; private set; } = $"objectlog-tests-{Guid.NewGuid():N}"[..40];

    public IAmazonS3 Client { get; private set; } = null!;

    private CephRgwServer()
    {
    }

    /// <summary>Starts the gateway (or connects to the configured endpoint) and creates the bucket.</summary>
    public static Task<CephRgwServer> StartAsync()
        => ServerProcesses.StartOrDisposeAsync(new CephRgwServer(), server => server.InitializeAsync());

    private async Task InitializeAsync()
    {
        string? endpoint = Environment.GetEnvironmentVariable(EndpointVariable);
        if (!string.IsNullOrEmpty(endpoint))
        {
            Endpoint = new Uri(endpoint);
            AccessKey = Required("OBJECTLOG_TEST_S3_ACCESS_KEY");
            SecretKey = Required("OBJECTLOG_TEST_S3_SECRET_KEY");
            Region = Environment.GetEnvironmentVariable("OBJECTLOG_TEST_S3_REGION") is { Length: > 0 } region ? region : Region;
            string? bucket = Environment.GetEnvironmentVariable("OBJECTLOG_TEST_S3_BUCKET");
            Client = S3ObjectStore.CreateClient(Endpoint, AccessKey, SecretKey, Region);
            if (!string.IsNullOrEmpty(bucket))
            {
                BucketName = bucket;
                return;
            }
        }
        else
        {
            await StartCephAsync();
            Client = S3ObjectStore.CreateClient(Endpoint, AccessKey, SecretKey, Region);
        }

        await Client.PutBucketAsync(BucketName);
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_dataDirectory is not null)
        {
            await ServerProcesses.RunAsync("bash", [Path.Combine(ServerProcesses.Directory, "ceph-rgw.sh"), "stop", _dataDirectory], TimeSpan.FromSeconds(60));
            ServerProcesses.DeleteDirectory(_dataDirectory);
        }
    }

    public S3ObjectStore CreateStore(S3ObjectStoreOptions? options = null) => new(Client, BucketName, options);

    private async Task StartCephAsync()
    {
        string hint = $"Install Ceph with 'sudo bash tests/servers/install.sh' and run the tests as root, or point them at an S3 endpoint with {EndpointVariable}, OBJECTLOG_TEST_S3_ACCESS_KEY and OBJECTLOG_TEST_S3_SECRET_KEY (see tests/servers/README.md).";
        if (!File.Exists("/usr/bin/radosgw") && !File.Exists("/usr/local/bin/radosgw"))
        {
            throw new InvalidOperationException($"Ceph RADOS Gateway (radosgw) is not installed. {hint}");
        }

        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException($"The Ceph test cluster must run as root; these tests run as '{Environment.UserName}'. {hint}");
        }

        _dataDirectory = ServerProcesses.NewDataDirectory("ceph");
        int port = ServerProcesses.FreePort();
        int monPort = ServerProcesses.FreePort();
        while (monPort == port)
        {
            monPort = ServerProcesses.FreePort();
        }

        (int code, string output) = await ServerProcesses.RunAsync(
            "bash",
            [Path.Combine(ServerProcesses.Directory, "ceph-rgw.sh"), "start", _dataDirectory, port.ToString(System.Globalization.CultureInfo.InvariantCulture), monPort.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            StartTimeout);
        if (code != 0)
        {
            throw new InvalidOperationException($"tests/servers/ceph-rgw.sh start failed with exit code {code}. {hint}\nIts output:\n{output}");
        }

        Endpoint = new Uri($"http://127.0.0.1:{port}");
    }

    private static string Required(string name)
        => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{EndpointVariable} is set but {name} is not.");
}
