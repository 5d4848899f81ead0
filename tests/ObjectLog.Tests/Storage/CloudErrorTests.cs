using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.S3;
using ObjectLog.S3;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Storage;

/// <summary>
/// Cloud mistakes a person makes with <c>objlog</c> (no region, no credentials, a wrong endpoint) are reported in
/// their terms, quickly, and never with a secret from the URL or the environment.
/// </summary>
public sealed class CloudErrorTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public void S3_without_a_region_or_endpoint_is_refused_where_the_url_is_opened()
    {
        Func<string, string?> env = name => name switch
        {
            "AWS_ACCESS_KEY_ID" => "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY" => Secret,
            _ => null,
        };
        var e = Assert.Throws<ArgumentException>(() => ObjectStoreUrl.Open("s3://bucket/x", env));
        Assert.Equal("url", e.ParamName);
        Assert.Contains("needs a region: set ?region= or AWS_REGION", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);

        using ObjectStoreLocation withRegion = ObjectStoreUrl.Open("s3://bucket/x?region=eu-west-1", env);
        using ObjectStoreLocation fromEnvironment = ObjectStoreUrl.Open("s3://bucket/x", name => name == "AWS_REGION" ? "eu-west-1" : env(name));
        Assert.Contains("eu-west-1", withRegion.Store is S3ObjectStore s ? s.Client.Config.RegionEndpoint.SystemName : "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Objlog_without_a_region_says_what_to_set_and_shows_no_stack_trace()
    {
        (int code, string output) = await RunObjlogAsync(["ls", "--store", "s3://bucket/x"], WithCredentials(new() { ["AWS_REGION"] = "", ["AWS_DEFAULT_REGION"] = "" }));
        Assert.Equal(2, code);
        Assert.Contains("set ?region= or AWS_REGION", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Objlog_without_aws_credentials_says_so_instead_of_an_unreachable_endpoint()
    {
        using var dir = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            // Nothing for the SDK's chain to find: no keys, no profile files, no instance metadata to wait for.
            ["AWS_ACCESS_KEY_ID"] = "",
            ["AWS_SECRET_ACCESS_KEY"] = "",
            ["AWS_SESSION_TOKEN"] = Secret, // a stray token alone is not credentials, and is never shown
            ["AWS_PROFILE"] = "",
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(dir.Path, "no-credentials"),
            ["AWS_CONFIG_FILE"] = Path.Combine(dir.Path, "no-config"),
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "",
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "",
            ["AWS_WEB_IDENTITY_TOKEN_FILE"] = "",
        };
        (int code, string output) = await RunObjlogAsync(["ls", "--store", $"s3://bucket/x?region=us-east-1&endpoint=http://127.0.0.1:{Loopback.FreePort()}"], environment);
        Assert.Equal(1, code);
        Assert.Contains("no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("could not be reached", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Objlog_fails_in_seconds_on_an_unreachable_s3_endpoint_without_showing_the_secret()
    {
        var clock = Stopwatch.StartNew();
        (int code, string output) = await RunObjlogAsync(["ls", "--store", $"s3://bucket/x?endpoint=http://127.0.0.1:{Loopback.FreePort()}"], WithCredentials([]));
        Assert.Equal(1, code);
        Assert.Contains("could not be reached", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Objlog_reports_an_s3_endpoint_that_never_answers_in_one_line_after_two_attempts_of_5_s()
    {
        using var dir = new TempDirectory();
        var runs = new (string[] Args, string? Stdin)[]
        {
            (["ls"], null),
            (["cat"], null),
            (["append"], "{\"n\":1}\n{\"n\":2}\n"),
        };
        var results = await Task.WhenAll(runs.Select(async run =>
        {
            using var silent = new SilentEndpoint();
            string store = $"s3://logs/app?endpoint=http://127.0.0.1:{silent.Port}";
            var clock = Stopwatch.StartNew();
            (int code, string output, string error) = await ObjectLog.Tests.Cli.Objlog.RunAsync(dir.Path, [.. run.Args, "--store", store], run.Stdin, WithCredentials([]));
            TimeSpan afterFirstAttempt = DateTime.UtcNow - (silent.FirstConnection ?? DateTime.UtcNow);
            return (Command: run.Args[0], code, output, error, clock.Elapsed, afterFirstAttempt, silent.Connections);
        }));
        foreach ((string command, int code, string output, string error, TimeSpan elapsed, TimeSpan afterFirstAttempt, int attempts) in results)
        {
            Assert.True(code == 1, $"{command}: exit {code}: {error}");
            // One request, retried once (StoreClientPolicy.FailFast): 10 s of waiting. The whole run, process start
            // included, takes about 11 s on an idle machine; the bound leaves room for a loaded one.
            Assert.True(attempts == 2, $"{command}: {attempts} attempts");
            Assert.True(afterFirstAttempt < TimeSpan.FromSeconds(11.5), $"{command} took {afterFirstAttempt} after its first attempt");
            Assert.True(elapsed < TimeSpan.FromSeconds(20), $"{command} took {elapsed}");
            Assert.Equal("", output);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, error, StringComparison.Ordinal);
            string[] lines = error.TrimEnd('\n').Split('\n');
            Assert.Contains("did not answer within 5 s an attempt", lines[0], StringComparison.Ordinal);
            if (command == "append")
            {
                Assert.Contains("stored no events; nothing from line 1 on.", error, StringComparison.Ordinal); // the summary follows the line about the store
            }
            else
            {
                Assert.True(lines.Length == 1, $"{command}: {error}");
            }
        }
    }

    [Fact]
    public async Task Objlog_fails_in_seconds_on_an_unreachable_azure_endpoint_without_showing_the_key()
    {
        string connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{Loopback.FreePort()}/devstoreaccount1;";
        var clock = Stopwatch.StartNew();
        (int code, string fromEnvironment) = await RunObjlogAsync(["ls", "--store", "az://container/x"], new() { ["AZURE_STORAGE_CONNECTION_STRING"] = connection });
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Equal(1, code);
        Assert.Contains("could not be reached", fromEnvironment, StringComparison.Ordinal);

        (_, string fromUrl) = await RunObjlogAsync(["ls", "--store", "az://container/x?connection_string=" + Uri.EscapeDataString(connection)], []);
        foreach (string output in new[] { fromEnvironment, fromUrl })
        {
            Assert.DoesNotContain("Eby8vdM02", output, StringComparison.Ordinal);
            Assert.DoesNotContain("ClientOptions", output, StringComparison.Ordinal); // SDK advice a CLI user cannot act on
            Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_library_keeps_the_sdk_retry_policy_and_only_the_cli_shortens_it()
    {
        Func<string, string?> env = name => name switch
        {
            "AWS_ACCESS_KEY_ID" => "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY" => Secret,
            _ => null,
        };
        int sdkDefault = new AmazonS3Config().MaxErrorRetry;
        using ObjectStoreLocation library = ObjectStoreUrl.Open("s3://bucket?endpoint=http://127.0.0.1:1", env);
        using ObjectStoreLocation cli = ObjectStoreUrl.OpenWith("s3://bucket?endpoint=http://127.0.0.1:1", env, StoreClientPolicy.FailFast);
        Assert.Equal(sdkDefault, ((S3ObjectStore)library.Store).Client.Config.MaxErrorRetry);
        Assert.Equal(StoreClientPolicy.FailFast.MaxRetries, ((S3ObjectStore)cli.Store).Client.Config.MaxErrorRetry);
        Assert.Equal(StoreClientPolicy.FailFast.RequestTimeout, ((S3ObjectStore)cli.Store).Client.Config.Timeout);
        Assert.Equal(0, ((S3ObjectStore)cli.Store).Client.Config.MaxStaleConnectionRetries); // else a silent endpoint gets up to 10 more attempts
        Assert.NotEqual(sdkDefault, StoreClientPolicy.FailFast.MaxRetries);
    }

    [Fact]
    public async Task A_missing_credentials_failure_is_translated_as_such_and_an_unreachable_endpoint_is_not()
    {
        int port = Loopback.FreePort();
        using ObjectStoreLocation reachable = ObjectStoreUrl.OpenWith(
            $"s3://bucket?endpoint=http://127.0.0.1:{port}",
            name => name switch { "AWS_ACCESS_KEY_ID" => "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY" => Secret, _ => null },
            StoreClientPolicy.FailFast);
        var unreachable = await Assert.ThrowsAsync<ObjectStoreException>(() => reachable.Store.GetBytesAsync("k"));
        Assert.Contains("could not be reached", unreachable.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("credentials", unreachable.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, unreachable.Message, StringComparison.Ordinal);

        Assert.True(S3ErrorTranslator.IsMissingCredentials(new Amazon.Runtime.AmazonClientException("Failed to resolve AWS credentials. The credential providers used to search for credentials returned the following errors: …")));
        Assert.False(S3ErrorTranslator.IsMissingCredentials(new HttpRequestException("Connection refused")));
    }

    private static Dictionary<string, string> WithCredentials(Dictionary<string, string> more)
    {
        more["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
        more["AWS_SECRET_ACCESS_KEY"] = Secret;
        return more;
    }

    private static async Task<(int Code, string Output)> RunObjlogAsync(string[] args, Dictionary<string, string> environment)
    {
        using var dir = new TempDirectory();
        (int code, string stdout, string stderr) = await ChildProcess.RunDllAsync(typeof(ObjectLog.Cli.StoreLocation).Assembly.Location, dir.Path, args, environment);
        return (code, stdout + stderr);
    }
}
