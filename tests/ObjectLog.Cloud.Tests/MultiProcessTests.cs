using System.Diagnostics;
using System.Text;
using ObjectLog.Cloud.Tests.Servers;
using ObjectLog.Storage;
using ObjectLog.Tests.Log;

namespace ObjectLog.Cloud.Tests;

/// <summary>
/// Separate <c>objlog append</c> processes (and an <c>objlog compact</c>) share one log prefix on a real server and
/// coordinate only through the store: every event comes back exactly once, each writer's in its order.
/// </summary>
internal static class MultiProcess
{
    public const int Writers = 4;
    public const int PerWriter = 150;

    public static async Task RunAsync(string storeUrl, IReadOnlyDictionary<string, string> environment, IObjectStore store, string prefix)
    {
        Task<(int Code, string Output)>[] appenders = Enumerable.Range(0, Writers).Select(w =>
        {
            var events = new StringBuilder();
            for (int i = 0; i < PerWriter; i++)
            {
                events.Append(Events.Json(w, i)).Append('\n');
            }

            return ObjlogAsync(["append", "--store", storeUrl, "--log", "shared", "--flush-threshold", "7"], environment, events.ToString());
        }).ToArray();
        Task<(int Code, string Output)> compactor = ObjlogAsync(["compact", "--store", storeUrl, "--log", "shared"], environment, "");

        foreach ((int code, string output) in await Task.WhenAll(appenders.Append(compactor)))
        {
            Assert.True(code == 0, $"objlog exited {code}: {output}");
        }

        await using var reader = new AppendLog(store, $"{prefix}/shared", Events.Quiet());
        AppendLogAcceptanceTests.AssertEveryWriterComplete(Events.Texts(await reader.ReadAllAsync()), Writers, PerWriter);
        await reader.CompactAsync();
        AppendLogAcceptanceTests.AssertEveryWriterComplete(Events.Texts(await reader.ReadAllAsync()), Writers, PerWriter);
    }

    private static async Task<(int Code, string Output)> ObjlogAsync(string[] args, IReadOnlyDictionary<string, string> environment, string stdin)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "objlog.dll"));
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach ((string name, string value) in environment)
        {
            info.Environment[name] = value;
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}

[Collection(CephRgwCollection.Name)]
public sealed class S3OnCephMultiProcessTests(CephRgwFixture server)
{
    [Fact]
    public async Task Four_objlog_append_processes_share_one_S3_prefix()
    {
        string prefix = $"mp-{Guid.NewGuid():N}";
        var environment = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = server.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = server.SecretKey,
            ["AWS_REGION"] = server.Region,
        };
        await MultiProcess.RunAsync($"s3://{server.BucketName}/{prefix}?endpoint={server.Endpoint}", environment, server.CreateStore(), prefix);
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureOnAzuriteMultiProcessTests(AzuriteFixture server)
{
    [Fact]
    public async Task Four_objlog_append_processes_share_one_Azure_prefix()
    {
        string prefix = $"mp-{Guid.NewGuid():N}";
        var environment = new Dictionary<string, string>
        {
            ["AZURE_STORAGE_CONNECTION_STRING"] = $"DefaultEndpointsProtocol=http;AccountName={AzuriteFixture.AccountName};AccountKey={AzuriteFixture.AccountKey};BlobEndpoint={server.ServiceUri};",
        };
        await MultiProcess.RunAsync($"az://{AzuriteFixture.ContainerName}/{prefix}", environment, server.CreateStore(), prefix);
    }
}
