using System.Text.Json;
using ObjectLog.Internal;
using ObjectLog.Storage;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Cli;

/// <summary>
/// <c>objlog consumers</c> and <c>objlog consumers reset</c>, run in a child process as a user would, on a folder
/// store whose consumer states are written here as an owner would write them; and <c>ls</c> showing those states.
/// </summary>
public sealed class ConsumersCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string StoreRoot => Path.Combine(_dir.Path, "objectlog-data");

    [Fact]
    public async Task Consumers_lists_each_one_with_position_owner_lease_and_lag_as_json_lines_and_as_a_table()
    {
        List<LogPosition> events = await AppendAsync(3);
        await WriteStateAsync("billing", events[0], owner: "host-a/41");
        await WriteStateAsync("audit", events[2]);

        (int code, string output, string error) = await RunAsync("consumers", "--json");

        Assert.True(code == 0, error);
        JsonElement[] rows = [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
        Assert.Equal(["audit", "billing"], rows.Select(r => r.GetProperty("name").GetString()));
        JsonElement billing = rows[1];
        Assert.Equal(events[0].ToString(), billing.GetProperty("position").GetString());
        Assert.Equal("host-a/41", billing.GetProperty("owner").GetString());
        Assert.Equal(JsonValueKind.String, billing.GetProperty("lease_expires").ValueKind);
        Assert.True(billing.GetProperty("lag_seconds").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("owner").ValueKind);
        Assert.Equal(0, rows[0].GetProperty("lag_seconds").GetDouble());

        (code, output, error) = await RunAsync(["consumers"], new Dictionary<string, string> { ["OBJLOG_COLUMNS"] = "200" });
        Assert.True(code == 0, error);
        Assert.Contains("lease expires (UTC)", output, StringComparison.Ordinal);
        Assert.Contains("host-a/41", output, StringComparison.Ordinal);

        (code, output, error) = await RunAsync("consumers"); // piped: tab-separated
        Assert.True(code == 0, error);
        Assert.StartsWith($"audit\t{events[2]}\t", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_moves_a_consumer_to_the_start_the_end_a_time_or_an_event_and_prints_its_new_state()
    {
        List<LogPosition> events = await AppendAsync(3);
        await WriteStateAsync("billing", events[2]);

        (int code, string output, string error) = await RunAsync("consumers", "reset", "billing", "--to-position", events[0].ToString(), "--json");
        Assert.True(code == 0, error);
        Assert.Equal(events[0].ToString(), JsonDocument.Parse(output).RootElement.GetProperty("position").GetString());
        Assert.Equal(events[0], (await ReadStateAsync("billing")).Position);

        (code, _, error) = await RunAsync("consumers", "reset", "billing", "--to-start");
        Assert.True(code == 0, error);
        Assert.Null((await ReadStateAsync("billing")).Position);

        (code, _, error) = await RunAsync("consumers", "reset", "billing", "--to-time", "2026-11-25T10:00:00Z");
        Assert.True(code == 0, error);
        Assert.Equal(LogPosition.Before(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero)), (await ReadStateAsync("billing")).Position);

        (code, _, error) = await RunAsync("consumers", "reset", "billing", "--to-end");
        Assert.True(code == 0, error);
        Assert.True((await ReadStateAsync("billing")).Position!.Value.BatchTime > events[2].BatchTime);
    }

    [Fact]
    public async Task An_owned_consumer_is_reset_only_with_force_which_takes_it_from_its_owner()
    {
        List<LogPosition> events = await AppendAsync(2);
        await WriteStateAsync("billing", events[1], owner: "host-a/41", epoch: 5);
        byte[] before = await File.ReadAllBytesAsync(StatePath("billing"));

        (int code, _, string error) = await RunAsync("consumers", "reset", "billing", "--to-start");

        Assert.Equal(1, code);
        Assert.Contains("'host-a/41'", error, StringComparison.Ordinal);
        Assert.Contains("lease runs until", error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(StatePath("billing")));

        (code, string output, error) = await RunAsync("consumers", "reset", "billing", "--to-start", "--force");
        Assert.True(code == 0, error);
        Assert.StartsWith("billing\tbeginning\t", output, StringComparison.Ordinal);
        ConsumerState state = await ReadStateAsync("billing");
        Assert.Null(state.Owner);
        Assert.Equal(6, state.Epoch);
    }

    [Theory]
    [InlineData(2, "is not a consumer name", "consumers", "reset", "no such/name", "--to-start")]
    [InlineData(2, "Give exactly one of", "consumers", "reset", "billing")]
    [InlineData(2, "Give exactly one of", "consumers", "reset", "billing", "--to-start", "--to-end")]
    [InlineData(2, "is not a log position", "consumers", "reset", "billing", "--to-position", "yesterday")]
    [InlineData(2, "is not a time", "consumers", "reset", "billing", "--to-time", "soon")]
    [InlineData(2, "is not in the log", "consumers", "reset", "billing", "--to-position", "batch_0001000000000000000-00000000000000ab-000000000001.jsonl:0")]
    public async Task Bad_input_gets_a_clear_error_and_nothing_is_written(int exit, string message, params string[] args)
    {
        List<LogPosition> events = await AppendAsync(1);
        await WriteStateAsync("billing", events[0]);
        byte[] before = await File.ReadAllBytesAsync(StatePath("billing"));

        (int code, string output, string error) = await RunAsync(args);

        Assert.True(code == exit, $"exit {code}: {output}{error}");
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(StatePath("billing")));
        Assert.Equal(["billing.json"], Directory.GetFiles(Path.GetDirectoryName(StatePath("billing"))!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_damaged_state_fails_the_listing_with_its_key_and_what_to_do()
    {
        await AppendAsync(1);
        Directory.CreateDirectory(Path.GetDirectoryName(StatePath("billing"))!);
        await File.WriteAllTextAsync(StatePath("billing"), "{\"format\":1,");

        (int code, _, string error) = await RunAsync("consumers");

        Assert.Equal(1, code);
        Assert.Contains("events/_consumers/billing.json", error, StringComparison.Ordinal);
        Assert.Contains("consumers reset NAME --force", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_shows_a_consumers_state_as_such()
    {
        List<LogPosition> events = await AppendAsync(1);
        await WriteStateAsync("billing", events[0]);

        (int code, string output, string error) = await RunAsync("ls", "--json");

        Assert.True(code == 0, error);
        JsonElement state = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(o => o.GetProperty("key").GetString() == "events/_consumers/billing.json");
        Assert.Equal("consumer", state.GetProperty("kind").GetString());
        Assert.Equal("live", state.GetProperty("state").GetString());
    }

    /// <summary>Appends <paramref name="count"/> events to the log <c>events</c>, each in its own batch; returns their positions.</summary>
    private async Task<List<LogPosition>> AppendAsync(int count)
    {
        await using var log = new AppendLog(new FileSystemObjectStore(StoreRoot), "events", new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan });
        for (int i = 0; i < count; i++)
        {
            await log.AppendAsync(E($"{{\"n\":{i}}}"));
            await log.FlushAsync();
            await Task.Delay(2); // distinct batch times
        }

        return [.. (await ToListAsync(log.ReadEventsAsync())).Select(e => e.Position)];
    }

    private string StatePath(string name) => Path.Combine(StoreRoot, "events", "_consumers", name + ".json");

    /// <summary>Writes a consumer's state as its owner would (the lease is long enough to outlast the test).</summary>
    private async Task WriteStateAsync(string name, LogPosition? position, string? owner = null, long epoch = 1)
    {
        var state = new ConsumerState(name, position, position?.Batch, new HandledBatches(), DateTimeOffset.UtcNow, owner, epoch, TimeSpan.FromMinutes(10));
        await new FileSystemObjectStore(StoreRoot).PutAsync($"events/_consumers/{name}.json", new MemoryStream(state.ToJson()), PutMode.Overwrite);
    }

    private async Task<ConsumerState> ReadStateAsync(string name)
        => ConsumerState.Parse(name, await File.ReadAllBytesAsync(StatePath(name)));

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => Objlog.RunAsync(_dir.Path, args, null);

    private Task<(int Code, string Output, string Error)> RunAsync(string[] args, IReadOnlyDictionary<string, string> environment) => Objlog.RunAsync(_dir.Path, args, null, environment);
}
