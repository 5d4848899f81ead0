using System.Diagnostics;
using System.Text.RegularExpressions;
using Amazon.S3;
using ObjectLog.S3;

namespace ObjectLog.TestServers;

/// <summary>s3rver (an S3 emulator on node) on 127.0.0.1 with a temporary data folder, started once for the test run.</summary>
public sealed partial class S3rverServer : IAsyncDisposable
{
    /// <summary>s3rver's fixed credentials (public, not a secret).</summary>
    public const string AccessKey = "S3RVER";

    public const string SecretKey = "S3RVER";

    public const string BucketName = "objectlog-tests";

    /// <summary>Why create-only puts are not checked against s3rver.</summary>
    public const string NoCreateOnlyReason = "s3rver ignores If-None-Match, so create-only puts there are check-then-write (SupportsCreateOnly = false)";

    private Process? _process;
    private string? _dataDirectory;

    public Uri Endpoint { get; private set; } = null!;

    public IAmazonS3 Client { get; private set; } = null!;

    private S3rverServer()
    {
    }

    /// <summary>Starts s3rver and creates the bucket.</summary>
    public static Task<S3rverServer> StartAsync()
        => ServerProcesses.StartOrDisposeAsync(new S3rverServer(), server => server.InitializeAsync());

    private async Task InitializeAsync()
    {
        _dataDirectory = ServerProcesses.NewDataDirectory("s3rver");

        // Without --openssl-legacy-provider, s3rver's continuation tokens fail and paged listing answers 500.
        (_process, Match ready) = await ServerProcesses.StartNodeAsync(
            "s3rver",
            "s3rver/bin/s3rver.js",
            ["-d", _dataDirectory, "-a", "127.0.0.1", "-p", "0", "--silent"],
            ListeningLine(),
            TimeSpan.FromSeconds(60),
            "--openssl-legacy-provider");
        Endpoint = new Uri($"http://127.0.0.1:{ready.Groups["port"].Value}");
        Client = S3ObjectStore.CreateClient(Endpoint, AccessKey, SecretKey);
        await Client.PutBucketAsync(BucketName);
    }

    public ValueTask DisposeAsync()
    {
        Client?.Dispose();
        ServerProcesses.Stop(_process);
        ServerProcesses.DeleteDirectory(_dataDirectory);
        return ValueTask.CompletedTask;
    }

    public S3ObjectStore CreateStore(S3ObjectStoreOptions? options = null)
        => new(Client, BucketName, options ?? new S3ObjectStoreOptions { SupportsCreateOnly = false, SupportsConditionalUpdate = false });

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
