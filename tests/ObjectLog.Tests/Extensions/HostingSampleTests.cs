using System.Text.Json;

namespace ObjectLog.Tests.Extensions;

/// <summary>Issue 8's program (<c>samples/Hosting</c>), run as written, then read back with <c>objlog cat</c> as the issue says.</summary>
public sealed class HostingSampleTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Fact]
    public async Task The_sample_logs_one_json_object_per_entry_and_stores_the_typed_order()
    {
        using var dir = new TempDirectory();
        string sample = Path.Combine(ChildProcess.RepositoryRoot, "samples", "Hosting", "bin", Configuration, "net10.0", "Hosting.dll");
        (int code, string output, string error) = await ChildProcess.RunDllAsync(sample, dir.Path, []);
        Assert.True(code == 0, $"exit {code}: {output}{error}");
        Assert.Contains("Order { Id = 42, Customer = ada, Total = 9.99 }", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Activity.DisplayName", output, StringComparison.Ordinal); // OpenTelemetry is opt-in

        string objlog = typeof(ObjectLog.Cli.StoreLocation).Assembly.Location;
        (code, output, error) = await ChildProcess.RunDllAsync(objlog, dir.Path, ["cat", "--store", "./objectlog-data", "--log", "app-logs"]);
        Assert.True(code == 0, $"exit {code}: {error}");
        List<JsonElement> entries = [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];
        JsonElement placed = Assert.Single(entries, e => e.GetProperty("category").GetString() == "Program");
        Assert.Contains("\"OrderId\":42", output, StringComparison.Ordinal);
        Assert.Contains("\"Customer\":\"ada\"", output, StringComparison.Ordinal);
        Assert.Equal("Information", placed.GetProperty("level").GetString());
        Assert.Equal(0, placed.GetProperty("eventId").GetInt32());
        Assert.Equal("Order 42 placed by ada", placed.GetProperty("message").GetString());
        Assert.Equal("Order {OrderId} placed by {Customer}", placed.GetProperty("messageTemplate").GetString());
        Assert.Equal(JsonValueKind.Array, placed.GetProperty("scopes").ValueKind);
        Assert.EndsWith("Z", placed.GetProperty("timestamp").GetString(), StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse(placed.GetProperty("timestamp").GetString(), out _));

        (code, output, error) = await ChildProcess.RunDllAsync(objlog, dir.Path, ["cat", "--store", "./objectlog-data", "--log", "orders"]);
        Assert.True(code == 0, $"exit {code}: {error}");
        Assert.Equal("{\"Id\":42,\"Customer\":\"ada\",\"Total\":9.99}\n", output); // as declared, from the source-generated context
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_otel_the_sample_exports_objectlog_traces_and_metrics_to_the_console(bool flag)
    {
        using var dir = new TempDirectory();
        string sample = Path.Combine(ChildProcess.RepositoryRoot, "samples", "Hosting", "bin", Configuration, "net10.0", "Hosting.dll");
        (int code, string output, string error) = flag
            ? await ChildProcess.RunDllAsync(sample, dir.Path, ["--otel"])
            : await ChildProcess.RunDllAsync(sample, dir.Path, [], new Dictionary<string, string> { ["OBJECTLOG_OTEL"] = "1" });
        Assert.True(code == 0, $"exit {code}: {output}{error}");
        Assert.Contains("Order { Id = 42, Customer = ada, Total = 9.99 }", output, StringComparison.Ordinal);
        Assert.Matches(@"Activity\.DisplayName:\s+objectlog\.flush", output);
        Assert.Matches(@"Activity\.DisplayName:\s+objectlog\.read", output);
        Assert.Contains("objectlog.events: 1", output, StringComparison.Ordinal);
        Assert.Contains("Metric Name: objectlog.batches.stored", output, StringComparison.Ordinal);
    }
}
