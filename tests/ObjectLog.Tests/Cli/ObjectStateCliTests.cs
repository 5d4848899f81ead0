using System.Globalization;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Cli;

/// <summary>
/// <c>ls</c>, <c>stats</c> and <c>verify</c> count live, superseded, uncommitted and garbage objects apart; a lone end
/// marker is reported by verify and deleted by compact; trim says what it hid; ls's table fits a narrow terminal and
/// keeps whole keys in a pipe.
/// </summary>
public sealed class ObjectStateCliTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string StoreRoot => Path.Combine(_dir.Path, "objectlog-data");

    [Fact]
    public async Task After_a_compaction_killed_before_its_deletes_ls_stats_and_verify_count_the_originals_as_superseded()
    {
        var faulty = new FaultInjectingObjectStore(new FileSystemObjectStore(StoreRoot));
        await using (var log = new AppendLog(faulty, "events", Quiet(threshold: 1)))
        {
            await AppendAsync(log, 3);
            faulty.FailWhen((call, _) => call == StoreCall.Delete ? Fault.FailBefore : null); // killed after its commit
            await log.CompactAsync();
            faulty.FailWhen(null);
        }

        (int code, string output, string error) = await RunAsync("stats");
        Assert.True(code == 0, error);
        Assert.Contains("objects:  6 (", output, StringComparison.Ordinal);
        Assert.Contains("1 live (0 batch, 1 merged) and 2 manifests/markers/trim records in use; 3 superseded, 0 uncommitted, 0 garbage; 0 not ObjectLog's", output, StringComparison.Ordinal);

        (code, output, error) = await RunAsync("stats", "--json");
        Assert.True(code == 0, error);
        using (var json = System.Text.Json.JsonDocument.Parse(output))
        {
            System.Text.Json.JsonElement objects = json.RootElement.GetProperty("objects");
            Assert.Equal((0, 1, 3, 2), (objects.GetProperty("batch_objects").GetInt32(), objects.GetProperty("merged_objects").GetInt32(), objects.GetProperty("superseded").GetInt32(), objects.GetProperty("other").GetInt32()));
        }

        (code, output, error) = await RunAsync("ls");
        Assert.True(code == 0, error);
        string[][] rows = [.. output.TrimEnd('\n').Split('\n').Select(l => l.Split('\t'))];
        Assert.Equal(6, rows.Length);
        Assert.All(rows, r => Assert.Equal(5, r.Length));
        Assert.Equal(3, rows.Count(r => r[2] == "batch" && r[4] == "superseded"));
        Assert.Equal(3, rows.Count(r => r[2] != "batch" && r[4] == "live"));

        (code, output, error) = await RunAsync("verify");
        Assert.True(code == 0, output + error);
        Assert.Contains("1 live objects, 3 superseded, 0 uncommitted merges, 0 garbage, 0 other objects (ignored); checked 3 batch objects, 1 merged objects", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lone_end_marker_is_reported_by_verify_and_deleted_by_compact()
    {
        var faulty = new FaultInjectingObjectStore(new FileSystemObjectStore(StoreRoot));
        string marker;
        await using (var log = new AppendLog(faulty, "events", Quiet(threshold: 1)))
        {
            await AppendAsync(log, 2);
            string first = (await log.CompactAsync()).NewKey!;
            marker = Path.Combine(StoreRoot, "events", ObjectLog.Internal.LogObjectName.EndMarkerFor(first["events/".Length..]));
            await AppendAsync(log, 1);
            faulty.FailWhen((call, key) => call == StoreCall.Delete && key.EndsWith(".end.json", StringComparison.Ordinal) ? Fault.FailBefore : null); // killed before the markers
            await log.CompactAsync();
            faulty.FailWhen(null);
        }

        Assert.True(File.Exists(marker));
        (int code, string output, _) = await RunAsync("verify");
        Assert.Equal(1, code);
        Assert.Contains($"problem: events/{Path.GetFileName(marker)}: an end marker whose merged data", output, StringComparison.Ordinal);
        Assert.Contains(", 1 garbage,", output, StringComparison.Ordinal);

        (code, output, string error) = await RunAsync("compact");
        Assert.True(code == 0, error);
        Assert.Contains("deleted 1 superseded or abandoned object(s)", output, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
        Assert.Equal(0, (await RunAsync("verify")).Code);
        Assert.Equal("{\"n\":0}\n{\"n\":1}\n{\"n\":0}\n", (await RunAsync("cat")).Output);
    }

    [Fact]
    public async Task Trim_says_what_it_hid_inside_a_merged_object_that_it_could_not_delete()
    {
        Assert.Equal(0, (await RunAsync(["append", "--raw", "--flush-threshold", "1"], "a\nb\n")).Code);
        await Task.Delay(20);
        string cutoff = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        await Task.Delay(20);
        Assert.Equal(0, (await RunAsync(["append", "--raw", "c"], null)).Code);
        Assert.Equal(0, (await RunAsync("compact")).Code); // one merged object: a, b and c

        (int code, string output, string error) = await RunAsync("trim", "--before", cutoff);
        Assert.True(code == 0, error);
        Assert.Contains("hid 2 event(s) in 2 batch(es) from readers; deleted 0 object(s) (1 merged object(s) still hold trimmed bytes", output, StringComparison.Ordinal);
        Assert.Equal("c\n", (await RunAsync("cat")).Output);
    }

    [Fact]
    public async Task Ls_fits_its_table_to_a_narrow_terminal_and_keeps_whole_keys_in_a_pipe()
    {
        Assert.Equal(0, (await RunAsync(["append", "--flush-threshold", "1"], "{\"n\":1}\n{\"n\":2}\n")).Code);
        Assert.Equal(0, (await RunAsync("compact")).Code);
        Assert.Equal(0, (await RunAsync(["append"], "{\"n\":3}\n")).Code);
        string[] keys = [.. Directory.GetFiles(Path.Combine(StoreRoot, "events")).Select(f => "events/" + Path.GetFileName(f)).Order(StringComparer.Ordinal)];
        Assert.Equal(4, keys.Length); // merged data, manifest, end marker, batch

        (int code, string output, string error) = await Objlog.RunAsync(_dir.Path, ["ls"], null, new Dictionary<string, string> { ["OBJLOG_COLUMNS"] = "80" });
        Assert.True(code == 0, error);
        string[] lines = output.TrimEnd('\n').Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        string[] rows = [.. lines.Where(l => l.Contains(" live ", StringComparison.Ordinal))];
        Assert.Equal(4, rows.Length); // one row an object: nothing wrapped
        Assert.All(rows, r => Assert.Contains('…', r));
        Assert.Contains("4 objects", output, StringComparison.Ordinal);

        (code, output, error) = await RunAsync("ls");
        Assert.True(code == 0, error);
        Assert.Equal(keys, output.TrimEnd('\n').Split('\n').Select(l => l.Split('\t')[0]));
        (code, output, _) = await RunAsync("ls", "--json");
        Assert.Equal(0, code);
        Assert.Equal(keys, output.TrimEnd('\n').Split('\n').Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("key").GetString()));
    }

    private static async Task AppendAsync(AppendLog log, int count)
    {
        for (int i = 0; i < count; i++)
        {
            await log.AppendAsync(E(string.Create(CultureInfo.InvariantCulture, $"{{\"n\":{i}}}")));
        }

        await log.FlushAsync();
    }

    private Task<(int Code, string Output, string Error)> RunAsync(string[] args, string? stdin) => Objlog.RunAsync(_dir.Path, args, stdin);

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => Objlog.RunAsync(_dir.Path, args, null);
}
