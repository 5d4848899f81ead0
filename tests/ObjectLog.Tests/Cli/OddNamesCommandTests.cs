using System.CommandLine;
using System.Text.Json;
using ObjectLog.Cli;
using ObjectLog.Tests.Log;

namespace ObjectLog.Tests.Cli;

/// <summary>
/// <c>objlog</c> on a folder holding files that look like a log's but are not (non-ASCII digits, times past 9999),
/// and positions on the command line that name such batches: the files are counted as not the log's and left alone,
/// and the positions are usage errors found before the store is opened.
/// </summary>
public sealed class OddNamesCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly string[] OddFiles = OddObjectsTests.OddNames;

    public static TheoryData<string, string> BadPositions() => new()
    {
        { "batch_9999999999999999999.jsonl:0", "9999-12-31T23:59:59.999999Z" },
        { "batch_2600000000000000000.jsonl:0", "9999-12-31T23:59:59.999999Z" },
        { $"batch_{NameParsingTests.PastLatestMicroseconds}-00000000000000aa-000000000001.jsonl:0", "9999-12-31T23:59:59.999999Z" },
        { $"batch_{NameParsingTests.ArabicIndic}.jsonl:0", "not a batch name" },
        { "batch_0001764064800000000.jsonl:99999999999", "line" },
        { "batch_0001764064800000000.jsonl", "BATCH:LINE" },
    };

    [Theory]
    [MemberData(nameof(BadPositions))]
    public void A_bad_after_is_a_parse_error_on_every_command_that_takes_one(string position, string problem)
    {
        foreach (string[] args in new[] { new[] { "cat", "--after", position }, ["tail", "--after", position], ["tail", "-f", "--after", position] })
        {
            ParseResult parsed = ObjlogCommand.Create().Parse(args);
            string errors = string.Join("\n", parsed.Errors.Select(e => e.Message));
            Assert.Contains($"--after: '{position}' is not a position", errors, StringComparison.Ordinal);
            Assert.Contains(problem, errors, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_bad_after_exits_2_before_the_store_is_opened()
    {
        string missing = Path.Combine(_dir.Path, "no-such-store");
        (int code, string output, string error) = await RunAsync("cat", "--store", missing, "--after", "batch_9999999999999999999.jsonl:0");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("--after: 'batch_9999999999999999999.jsonl:0' is not a position", error, StringComparison.Ordinal);
        Assert.DoesNotContain("no-such-store", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task Stats_cat_tail_ls_and_compact_count_odd_files_as_not_the_logs_and_leave_them()
    {
        Assert.Equal(0, (await RunAsync(["append", "--raw", "--flush-threshold", "2"], stdin: "a\nb\nc\nd\ne\n")).Code); // 3 batches
        string folder = Path.Combine(_dir.Path, "objectlog-data", "events");
        foreach (string name in OddFiles)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, name), "{\"odd\":true}\n");
        }

        (int code, string output, string error) = await RunAsync("stats", "--json");
        Assert.True(code == 0, output + error);
        using (JsonDocument doc = JsonDocument.Parse(output))
        {
            JsonElement root = doc.RootElement;
            Assert.Equal(3, root.GetProperty("objects").GetProperty("batch_objects").GetInt32());
            Assert.Equal(OddFiles.Length, root.GetProperty("objects").GetProperty("foreign").GetInt32());
            Assert.Equal(5, root.GetProperty("events").GetInt64());
            Assert.Equal(3, root.GetProperty("batches").GetInt64());
        }

        (code, output, error) = await RunAsync("stats");
        Assert.True(code == 0, output + error);
        Assert.Contains($"{OddFiles.Length} not ObjectLog's", output, StringComparison.Ordinal);

        Assert.Equal((0, "a\nb\nc\nd\ne\n"), Out(await RunAsync("cat")));
        Assert.Equal((0, "d\ne\n"), Out(await RunAsync("tail", "-n", "2")));
        Assert.Equal((0, "a\nb\nc\nd\ne\n"), Out(await RunAsync("tail", "--since", "1900-01-01T00:00:00Z"))); // before any log's time: from the start
        (code, output, _) = await RunAsync("ls");
        Assert.Equal(0, code);
        Assert.Equal(OddFiles.Length, output.Split('\n').Count(l => l.EndsWith("\tforeign", StringComparison.Ordinal) || l.Contains("\tforeign\t", StringComparison.Ordinal)));

        (code, output, error) = await RunAsync("compact");
        Assert.True(code == 0, output + error);
        Assert.Equal((0, "a\nb\nc\nd\ne\n"), Out(await RunAsync("cat")));
        foreach (string name in OddFiles)
        {
            Assert.Equal("{\"odd\":true}\n", await File.ReadAllTextAsync(Path.Combine(folder, name)));
        }

        static (int, string) Out((int Code, string Output, string Error) r) => (r.Code, r.Output + r.Error);
    }

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => RunAsync(args, null);

    private Task<(int Code, string Output, string Error)> RunAsync(string[] args, string? stdin) => Objlog.RunAsync(_dir.Path, args, stdin);
}
