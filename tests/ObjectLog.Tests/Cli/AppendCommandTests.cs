using System.Text;

namespace ObjectLog.Tests.Cli;

/// <summary><c>objlog append</c> stores nothing it should not, and after a failure says exactly what it stored, run as a user would.</summary>
public sealed class AppendCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("not json", "argument 2 is not JSON")]
    [InlineData("   ", "argument 2 is blank")]
    [InlineData("{\"n\":", "argument 2 is not JSON")]
    [InlineData("{\"n\":1} trailing", "argument 2 is not JSON")]
    [InlineData("{\"a\":\n1}", "argument 2 contains a newline")]
    public async Task Arguments_are_all_or_nothing_a_bad_one_stores_none_and_exits_2(string bad, string message)
    {
        (int code, string output, string error) = await RunAsync("append", "{\"n\":1}", bad, "{\"n\":3}");
        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains("nothing was appended", error, StringComparison.Ordinal);
        Assert.Equal("", output);
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "objectlog-data", "events")) && Directory.EnumerateFiles(Path.Combine(_dir.Path, "objectlog-data", "events")).Any());
    }

    [Fact]
    public async Task Raw_stores_lines_that_are_not_json_but_still_refuses_a_blank_one()
    {
        Assert.Equal(0, (await RunAsync("append", "--raw", "plain text", "[1,2]")).Code);
        Assert.Equal("plain text\n[1,2]\n", (await RunAsync("cat")).Output);
        Assert.Equal(2, (await RunAsync("append", "--raw", " ")).Code);
    }

    [Fact]
    public async Task Invalid_utf8_is_refused_with_its_line_number_and_stores_nothing_unless_raw()
    {
        byte[] input = [.. E("{\"n\":1}\n{\"bad\":\""), 0xff, 0xfe, .. E("\"}\n{\"n\":3}\n")];
        (int code, string output, string error) = await Objlog.RunBytesAsync(_dir.Path, ["append"], input);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("line 2 is not valid UTF-8 (at byte 9)", error, StringComparison.Ordinal);
        Assert.Contains("--skip 1", error, StringComparison.Ordinal);
        Assert.Equal("{\"n\":1}\n", (await RunAsync("cat")).Output); // line 1 only: input stopped at line 2

        (code, _, error) = await Objlog.RunBytesAsync(_dir.Path, ["append", "--raw", "--log", "raw"], input);
        Assert.True(code == 0, error);
        (code, output, _) = await RunAsync("verify", "--log", "raw");
        Assert.Equal(1, code);
        string key = Assert.Single(Directory.GetFiles(Path.Combine(_dir.Path, "objectlog-data", "raw"))).Replace(Path.Combine(_dir.Path, "objectlog-data") + Path.DirectorySeparatorChar, "", StringComparison.Ordinal);
        Assert.Contains($"not JSON Lines: {key} line 2: not valid UTF-8 (at byte 9)", output, StringComparison.Ordinal);
        Assert.Contains("1 event(s) that JSON Lines readers refuse", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_and_blank_lines_on_stdin_are_skipped_alike_and_a_blank_argument_is_refused()
    {
        (int code, _, string error) = await RunAsync(["append"], "{\"n\":1}\n\n   \n\t\r\n{\"n\":2}\n");
        Assert.True(code == 0, error);
        Assert.Contains("appended 2 events", error, StringComparison.Ordinal);
        Assert.Equal("{\"n\":1}\n{\"n\":2}\n", (await RunAsync("cat")).Output);

        (code, _, error) = await RunAsync(["append"], "{\"n\":3}\n");
        Assert.Contains("appended 1 event to", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_2_MB_line_in_stdin_stops_input_says_what_is_stored_and_skip_resumes_without_duplicates()
    {
        string big = "{\"s\":\"" + new string('x', 2 * 1024 * 1024) + "\"}";
        string input = "{\"n\":1}\n{\"n\":2}\n\n{\"n\":3}\r\n{\"n\":4}\n" + big + "\n{\"n\":6}\n";
        (int code, string output, string error) = await RunAsync(["append", "--flush-threshold", "3"], input);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("line 6 is longer than --max-event-bytes (1,048,576 bytes)", error, StringComparison.Ordinal);
        Assert.Contains("stored 4 events, from lines 1 to 5; nothing from line 6 on. Input stopped at line 6.", error, StringComparison.Ordinal);
        Assert.Contains("--skip 5", error, StringComparison.Ordinal);
        Assert.Equal("{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n", (await RunAsync("cat")).Output);

        // The user shortens the line and resumes where the command said.
        string fixedInput = input.Replace(big, "{\"n\":5}", StringComparison.Ordinal);
        (code, _, error) = await RunAsync(["append", "--skip", "5"], fixedInput);
        Assert.True(code == 0, error);
        Assert.Contains("appended 2 events", error, StringComparison.Ordinal);
        Assert.Equal(string.Concat(Enumerable.Range(1, 6).Select(n => $"{{\"n\":{n}}}\n")), (await RunAsync("cat")).Output);
    }

    [Fact]
    public async Task Max_event_bytes_sets_the_limit_and_a_line_that_is_not_json_stops_stdin_with_exit_2()
    {
        (int code, _, string error) = await RunAsync(["append", "--max-event-bytes", "10"], "{\"n\":1}\n{\"n\":12345}\n");
        Assert.Equal(2, code);
        Assert.Contains("line 2 is longer than --max-event-bytes (10 bytes)", error, StringComparison.Ordinal);
        Assert.Contains("stored 1 event, from line 1;", error, StringComparison.Ordinal);

        (code, _, error) = await RunAsync(["append", "--skip", "1"], "{\"n\":1}\n{\"n\":2}\nnope\n{\"n\":4}\n");
        Assert.Equal(2, code);
        Assert.Contains("line 3 is not JSON: 'nope' is an invalid", error, StringComparison.Ordinal);
        Assert.Contains("stored 1 event, from line 2;", error, StringComparison.Ordinal);
        Assert.Equal("{\"n\":1}\n{\"n\":2}\n", (await RunAsync("cat")).Output);

        (code, _, error) = await RunAsync(["append", "--max-event-bytes", "0"], "{}\n");
        Assert.Equal(2, code);
        Assert.Contains("--max-event-bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_that_fails_exits_1_and_says_nothing_was_stored()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "objectlog-data"));
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, "objectlog-data", "events"), "a file where the log's folder should be");
        (int code, _, string error) = await RunAsync(["append", "--flush-threshold", "2"], "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
        Assert.Equal(1, code);
        Assert.Contains("storing failed", error, StringComparison.Ordinal);
        Assert.Contains("stored no events; nothing from line 1 on.", error, StringComparison.Ordinal);
        Assert.Contains("to try again, run the same command (nothing was stored)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("--skip", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("none", ".jsonl")]
    [InlineData("GZIP", ".jsonl.gz")]
    [InlineData("Zstd", ".jsonl.zst")]
    public async Task Compression_is_taken_by_name_in_any_case_and_what_append_and_compact_store_reads_back(string compression, string extension)
    {
        Assert.Equal(0, (await RunAsync(["append", "--compression", compression, "--flush-threshold", "2"], "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n")).Code);
        Assert.Equal(0, (await RunAsync("compact", "--compression", compression)).Code);
        Assert.Equal("{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n", (await RunAsync("cat")).Output);

        // Named for their encoding, the batches append stored and the merged object compact wrote alike.
        string[] data = [.. Directory.EnumerateFiles(Path.Combine(_dir.Path, "objectlog-data", "events")).Select(Path.GetFileName).OfType<string>().Where(n => !n.EndsWith(".json", StringComparison.Ordinal))]; // not manifests or end markers
        Assert.NotEmpty(data);
        Assert.All(data, n => Assert.EndsWith(extension, n, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_compression_exits_2_naming_the_option_and_the_choices()
    {
        (int code, string output, string error) = await RunAsync("append", "--compression", "lz4", "{}");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("--compression: 'lz4' is not a compression (none, gzip or zstd).", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "objectlog-data")));

        (code, output, _) = await RunAsync("help", "compact");
        Assert.Equal(0, code);
        Assert.Contains("--compression <none|gzip|zstd>", output, StringComparison.Ordinal);
        Assert.Contains("[default: zstd]", output, StringComparison.Ordinal);
    }

    private static byte[] E(string text) => Encoding.UTF8.GetBytes(text);

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => RunAsync(args, null);

    private Task<(int Code, string Output, string Error)> RunAsync(string[] args, string? stdin) => Objlog.RunAsync(_dir.Path, args, stdin);
}
