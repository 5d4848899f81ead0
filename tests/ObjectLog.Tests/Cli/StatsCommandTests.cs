using System.Text.Json;
using ObjectLog.Cli;

namespace ObjectLog.Tests.Cli;

/// <summary><c>objlog stats</c>, run in a child process as a user would, in both forms, and its price table.</summary>
public sealed class StatsCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Json_stats_count_objects_events_the_commands_own_requests_and_price_them()
    {
        Assert.Equal(0, (await RunAsync(["append", "--raw", "--compression", "none", "--flush-threshold", "2"], stdin: "a\nb\nc\nd\ne\n")).Code); // 3 plain batches
        Assert.Equal(0, (await RunAsync("append", "{\"not\":\"ours\"}", "--log", "events/nested")).Code); // under the prefix, not the log's

        (int code, string output, string error) = await RunAsync("stats", "--json", "--price", "get=1,list=2,put=10");
        Assert.True(code == 0, output + error);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement root = doc.RootElement;
        Assert.Equal("events/", root.GetProperty("log").GetString());
        Assert.Equal(4, root.GetProperty("objects").GetProperty("total").GetInt32());
        Assert.Equal(3, root.GetProperty("objects").GetProperty("batch_objects").GetInt32());
        Assert.Equal(1, root.GetProperty("objects").GetProperty("foreign").GetInt32());
        Assert.Equal(5, root.GetProperty("events").GetInt64());
        Assert.Equal(10, root.GetProperty("event_bytes").GetInt64());
        Assert.Equal(3, root.GetProperty("batches").GetInt64());
        Assert.True(root.GetProperty("first_batch_time").GetDateTimeOffset() <= root.GetProperty("last_batch_time").GetDateTimeOffset());

        JsonElement requests = root.GetProperty("requests");
        Assert.Equal(3, requests.GetProperty("get").GetInt64()); // the full read: one GET per batch object
        Assert.Equal(0, requests.GetProperty("put").GetInt64()); // looking changes nothing
        Assert.Equal(10, requests.GetProperty("bytes_received").GetInt64());
        long lists = requests.GetProperty("list").GetInt64();
        Assert.True(lists >= 2, $"a listing of the objects and the read's own listing; got {lists}");

        JsonElement cost = root.GetProperty("cost");
        Assert.Equal(10m, cost.GetProperty("prices").GetProperty("put").GetDecimal());
        Assert.Equal(0.023m, cost.GetProperty("prices").GetProperty("storage").GetDecimal()); // not overridden: S3 Standard's
        Assert.Equal(60, cost.GetProperty("rate_window_seconds").GetDouble()); // a log younger than a minute is measured over one
        Assert.Equal(180, cost.GetProperty("batches_per_hour").GetDouble());
        Assert.Equal(180 * 730, cost.GetProperty("puts_per_month").GetInt64());
        Assert.Equal(180 * 730 * 10m / 1000, cost.GetProperty("put_dollars_per_month").GetDecimal());
        long readLists = cost.GetProperty("full_read_list_pages").GetInt64();
        Assert.Equal(3, cost.GetProperty("full_read_gets").GetInt64());
        Assert.Equal((3 * 1m + readLists * 2m) / 1000, cost.GetProperty("full_read_dollars").GetDecimal());
    }

    [Fact]
    public async Task Text_stats_say_the_same_in_lines()
    {
        Assert.Equal(0, (await RunAsync(["append", "--raw", "--flush-threshold", "2"], stdin: "a\nb\nc\n")).Code);
        Assert.Equal(0, (await RunAsync("compact")).Code);

        (int code, string output, _) = await RunAsync("stats");
        Assert.True(code == 0, output);
        Assert.Contains("1 live (0 batch, 1 merged)", output, StringComparison.Ordinal);
        Assert.Contains("events:   3 (6 bytes) in 2 batches", output, StringComparison.Ordinal);
        Assert.Contains("requests: this command made 0 PUT,", output, StringComparison.Ordinal);
        Assert.Contains("cost at PUT $0.005, GET $0.0004, LIST $0.005 per 1,000 requests, storage $0.023 per GB-month", output, StringComparison.Ordinal);
        Assert.Contains("= 87,600 PUTs/month: $0.438/month", output, StringComparison.Ordinal); // 2 batches in the minute
    }

    [Fact]
    public async Task Json_stats_give_live_data_bytes_their_ratio_to_the_event_bytes_and_both_storage_costs()
    {
        // Plain batches: what is stored is exactly the events' bytes.
        Assert.Equal(0, (await RunAsync(["append", "--raw", "--compression", "none", "--flush-threshold", "2"], stdin: "a\nb\nc\nd\ne\n")).Code);
        JsonElement plain = await StatsJsonAsync();
        Assert.Equal(10, plain.GetProperty("event_bytes").GetInt64());
        Assert.Equal(10, plain.GetProperty("objects").GetProperty("data_bytes").GetInt64());
        Assert.Equal(1.0, plain.GetProperty("stored_ratio").GetDouble());
        Assert.Equal(Dollars(10, 1000m), plain.GetProperty("cost").GetProperty("data_storage_dollars_per_month").GetDecimal());
        Assert.Equal(Dollars(10, 1000m), plain.GetProperty("cost").GetProperty("raw_storage_dollars_per_month").GetDecimal());

        // Compressed batches and a compacted log: the numbers are the listing's, whatever the encoding makes of them.
        Assert.Equal(0, (await RunAsync(["append", "--raw", "--compression", "gzip", "--flush-threshold", "2"], stdin: "fff\nggg\nhhh\n")).Code);
        foreach (string[] step in new[] { Array.Empty<string>(), ["compact", "--compression", "zstd"] })
        {
            if (step.Length > 0)
            {
                Assert.Equal(0, (await RunAsync(step)).Code);
            }

            long stored = await LiveDataBytesAsync();
            JsonElement root = await StatsJsonAsync();
            Assert.Equal(10 + 12, root.GetProperty("event_bytes").GetInt64());
            Assert.Equal(stored, root.GetProperty("objects").GetProperty("data_bytes").GetInt64());
            Assert.Equal(stored / 22.0, root.GetProperty("stored_ratio").GetDouble());
            Assert.Equal(Dollars(stored, 1000m), root.GetProperty("cost").GetProperty("data_storage_dollars_per_month").GetDecimal());
            Assert.Equal(Dollars(22, 1000m), root.GetProperty("cost").GetProperty("raw_storage_dollars_per_month").GetDecimal());
            Assert.True(root.GetProperty("cost").GetProperty("storage_dollars_per_month").GetDecimal() >= Dollars(stored, 1000m)); // every object, the data among them
        }
    }

    [Fact]
    public async Task Text_stats_show_stored_and_raw_bytes_their_ratio_and_what_the_raw_bytes_would_cost()
    {
        Assert.Equal(0, (await RunAsync(["append", "--raw", "--compression", "none", "--flush-threshold", "2"], stdin: "a\nb\nc\nd\ne\n")).Code);
        (int code, string output, _) = await RunAsync("stats", "--price", "storage=100000000");
        Assert.True(code == 0, output);
        Assert.Contains("stored:   10 bytes in live data objects for 10 bytes of events: 1.00×", output, StringComparison.Ordinal);
        string expected = Dollars(10, 100000000m).ToString("0.00####", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"  live data:     ${expected}/month; the same events uncompressed would cost ${expected}/month", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_with_no_events_has_no_ratio()
    {
        Assert.Equal(0, (await RunAsync("append", "{\"not\":\"ours\"}", "--log", "events/nested")).Code); // the log holds only a foreign object

        JsonElement root = await StatsJsonAsync();
        Assert.Equal(0, root.GetProperty("event_bytes").GetInt64());
        Assert.Equal(0, root.GetProperty("objects").GetProperty("data_bytes").GetInt64());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("stored_ratio").ValueKind);
        (int code, string output, _) = await RunAsync("stats");
        Assert.True(code == 0, output);
        Assert.Contains("stored:   0 bytes in live data objects for 0 bytes of events: n/a", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("put", "'put' is not NAME=DOLLARS")]
    [InlineData("put=-1", "'-1' for put is not a price")]
    [InlineData("egress=0.09", "unknown price 'egress'")]
    public async Task A_bad_price_exits_2_naming_the_part(string price, string message)
    {
        (int code, _, string error) = await RunAsync("stats", "--price", price);
        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Prices_default_to_s3_standard_and_override_one_at_a_time()
    {
        Assert.Equal(new PriceTable(0.005m, 0.0004m, 0.005m, 0.023m), PriceTable.Parse(null));
        Assert.Equal(PriceTable.S3Standard with { Get = 0.001m, Storage = 0.02m }, PriceTable.Parse(" storage=0.02 , GET=0.001"));
    }

    /// <summary>What <paramref name="bytes"/> cost a month at <paramref name="perGb"/> dollars a GB-month, as stats rounds it.</summary>
    private static decimal Dollars(long bytes, decimal perGb) => Math.Round((decimal)(bytes / (double)(1L << 30)) * perGb, 9);

    private async Task<JsonElement> StatsJsonAsync()
    {
        (int code, string output, string error) = await RunAsync("stats", "--json", "--price", "storage=1000");
        Assert.True(code == 0, output + error);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    /// <summary>The bytes of the live batch and merged objects, as <c>ls --json</c> lists them.</summary>
    private async Task<long> LiveDataBytesAsync()
    {
        (int code, string output, string error) = await RunAsync("ls", "--json");
        Assert.True(code == 0, output + error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(o => o.GetProperty("state").GetString() == "live" && o.GetProperty("kind").GetString() is "batch" or "merged")
            .Sum(o => o.GetProperty("bytes").GetInt64());
    }

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => RunAsync(args, null);

    private Task<(int Code, string Output, string Error)> RunAsync(string[] args, string? stdin) => Objlog.RunAsync(_dir.Path, args, stdin);
}
