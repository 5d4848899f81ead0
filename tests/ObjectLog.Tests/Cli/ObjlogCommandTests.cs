using ObjectLog.Cli;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Cli;

/// <summary>The <c>objlog</c> commands, run in a child process as a user would (the README's demo command included).</summary>
public sealed class ObjlogCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Demo_writes_reads_back_and_compacts_in_objectlog_data_by_default()
    {
        (int code, string output, string error) = await RunAsync("demo");
        Assert.True(code == 0, $"exit {code}: {output}{error}");
        Assert.Contains("Read back 300 events", output, StringComparison.Ordinal);
        Assert.Contains("identical", output, StringComparison.Ordinal);

        await using var log = new AppendLog(new FileSystemObjectStore(Path.Combine(_dir.Path, "objectlog-data")), "demo");
        Assert.Equal(300, (await log.ReadAllAsync()).Count);
        Assert.Equal(1, await log.CountObjectsAsync());

        (code, output, _) = await RunAsync("demo");
        Assert.Equal(0, code);
        Assert.Contains("Read back 600 events", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Append_from_arguments_and_stdin_then_cat_prints_them_in_order()
    {
        Assert.Equal(0, (await RunAsync("append", "{\"n\":1}", "{\"n\":2}")).Code);
        Assert.Equal(0, (await RunAsync(["append"], stdin: "{\"n\":3}\n{\"n\":4}\n")).Code);
        Assert.Equal(0, (await RunAsync("compact")).Code);
        (int code, string output, _) = await RunAsync("cat");
        Assert.Equal(0, code);
        Assert.Equal("{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n", output);
        (code, output, _) = await RunAsync("ls");
        Assert.Equal(0, code);
        Assert.Contains("manifest", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cat_with_positions_resumes_after_a_checkpoint_and_tail_prints_the_last_events()
    {
        Assert.Equal(0, (await RunAsync(["append", "--raw", "--flush-threshold", "2"], stdin: "a\nb\nc\nd\ne\n")).Code);
        (int code, string output, _) = await RunAsync("cat", "--positions");
        Assert.Equal(0, code);
        string[] lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(["a", "b", "c", "d", "e"], lines.Select(l => l.Split('\t')[1]));
        string checkpoint = lines[2].Split('\t')[0];

        Assert.Equal(0, (await RunAsync("compact")).Code);
        (code, output, _) = await RunAsync("cat", "--after", checkpoint);
        Assert.Equal(0, code);
        Assert.Equal("d\ne\n", output);

        (code, output, _) = await RunAsync("tail", "-n", "2");
        Assert.Equal(0, code);
        Assert.Equal("d\ne\n", output);

        (code, _, string error) = await RunAsync("tail", "--after", "not-a-position");
        Assert.Equal(2, code);
        Assert.Contains("not a position", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cat_and_tail_read_by_time_with_absolute_and_relative_forms_and_refuse_garbage()
    {
        Assert.Equal(0, (await RunAsync(["append", "--raw", "--flush-threshold", "1"], stdin: "a\nb\nc\n")).Code);
        Assert.Equal(0, (await RunAsync("compact")).Code);
        Assert.Equal(("a\nb\nc\n", 0), Out(await RunAsync("cat", "--since", "1h")));
        Assert.Equal(("a\nb\nc\n", 0), Out(await RunAsync("cat", "--since", "2020-01-01T00:00:00Z", "--until", "2099-01-01")));
        Assert.Equal(("", 0), Out(await RunAsync("cat", "--until", "2d")));
        Assert.Equal(("", 0), Out(await RunAsync("cat", "--since", "2099-01-01T00:00:00Z")));
        Assert.Equal(("a\nb\nc\n", 0), Out(await RunAsync("tail", "--since", "30m")));

        (int code, _, string error) = await RunAsync("cat", "--since", "yesterday-ish");
        Assert.Equal(2, code);
        Assert.Contains("--since: 'yesterday-ish' is not a time", error, StringComparison.Ordinal);
        (code, _, error) = await RunAsync("cat", "--since", "1h", "--until", "2h");
        Assert.Equal(2, code);
        Assert.Contains("is before --since", error, StringComparison.Ordinal);

        static (string, int) Out((int Code, string Output, string Error) r) => (r.Output, r.Code);
    }

    [Fact]
    public async Task Trim_removes_what_is_before_the_cutoff_and_refuses_a_future_or_missing_cutoff()
    {
        Assert.Equal(0, (await RunAsync(["append", "--raw", "--flush-threshold", "1"], stdin: "a\nb\n")).Code);
        (int code, string output, _) = await RunAsync("trim", "--keep", "1h");
        Assert.Equal(0, code);
        Assert.Contains("deleted 0 object(s)", output, StringComparison.Ordinal);
        Assert.Equal("a\nb\n", (await RunAsync("cat")).Output);

        (code, output, string error) = await RunAsync("trim", "--before", "2099-01-01T00:00:00Z");
        Assert.Equal(2, code);
        Assert.Contains("is later than the store's time", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Actual value", error, StringComparison.Ordinal); // .NET's suffix, not for users
        Assert.Single(error.Trim().Split('\n'));
        (code, _, error) = await RunAsync("trim");
        Assert.Equal(2, code);
        Assert.Contains("exactly one of --before and --keep", error, StringComparison.Ordinal);

        await Task.Delay(20);
        (code, output, _) = await RunAsync("trim", "--before", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, code);
        Assert.Contains("deleted 2 object(s)", output, StringComparison.Ordinal);
        Assert.Equal("", (await RunAsync("cat")).Output);
    }

    [Fact]
    public async Task Verify_passes_a_sound_log_and_names_a_corrupt_object_without_changing_anything()
    {
        Assert.Equal(0, (await RunAsync(["append", "--flush-threshold", "2"], stdin: "1\n2\n3\n4\n5\n")).Code);
        Assert.Equal(0, (await RunAsync("compact")).Code);
        Assert.Equal(0, (await RunAsync("append", "6")).Code);
        (int code, string output, _) = await RunAsync("verify");
        Assert.True(code == 0, output);
        Assert.Contains("1 batch objects, 1 merged objects", output, StringComparison.Ordinal);
        Assert.Contains("ok: 6 events", output, StringComparison.Ordinal);

        string bad = Path.Combine(_dir.Path, "objectlog-data", "events", "batch_0001700000000000001.jsonl");
        await File.WriteAllTextAsync(bad, "{\"truncated");
        (code, output, _) = await RunAsync("verify");
        Assert.Equal(1, code);
        Assert.Contains("problem: Object 'events/batch_0001700000000000001.jsonl' is corrupt", output, StringComparison.Ordinal);
        Assert.Equal("{\"truncated", await File.ReadAllTextAsync(bad));
    }

    [Theory]
    [InlineData("--log", "../outside", "'..' segment")]
    [InlineData("--store", "ftp://host/x", "unsupported scheme")]
    public async Task Bad_locations_exit_2_with_a_message_naming_the_problem(string option, string value, string message)
    {
        (int code, _, string error) = await RunAsync("cat", option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_store_is_a_folder_under_the_current_directory()
    {
        Assert.Equal("file://./objectlog-data", StoreLocation.DefaultStore);
    }

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => RunAsync(args, null);

    private Task<(int Code, string Output, string Error)> RunAsync(string[] args, string? stdin) => Objlog.RunAsync(_dir.Path, args, stdin);
}
