using System.Text.Json;

namespace ObjectLog.Tests.Cli;

/// <summary>What scripts rely on: exit codes 0/1/2, help asked for on stdout and errors on stderr, plain unwrapped output in a pipe, --json, read-only commands that create nothing.</summary>
public sealed class CliConventionsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_parse_error_exits_2_with_the_error_and_a_one_line_hint_on_stderr_in_the_users_terms()
    {
        (int code, string output, string error) = await RunAsync("cat", "--bogus");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("Run 'objlog help cat' for usage.", error, StringComparison.Ordinal);
        Assert.True(error.TrimEnd().Split('\n').Length <= 3, error);

        (code, output, error) = await RunAsync("demo", "--events", "many");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.DoesNotContain("System.", error, StringComparison.Ordinal);
        Assert.Contains("a whole number", error, StringComparison.Ordinal);

        (code, _, error) = await RunAsync("append", "--flush-threshold", "-5", "{}");
        Assert.Equal(2, code);
        Assert.Contains("--flush-threshold", error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_asked_for_and_version_go_to_stdout_and_demo_lists_each_option_once()
    {
        (int code, string output, string error) = await RunAsync("help");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains("verify", output, StringComparison.Ordinal);

        (code, output, _) = await RunAsync("help", "append");
        Assert.Equal(0, code);
        Assert.Contains("--max-event-bytes", output, StringComparison.Ordinal);

        (code, output, error) = await RunAsync("demo", "--help");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Single(output.Split('\n'), l => l.TrimStart().StartsWith("--events", StringComparison.Ordinal));
        Assert.Contains("default 'demo'", output, StringComparison.Ordinal);
        Assert.DoesNotContain("[default: events]", output, StringComparison.Ordinal); // demo writes to 'demo'
        Assert.Contains("for demo: demo", output, StringComparison.Ordinal);

        (code, output, error) = await RunAsync("--version");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Matches(@"^\d+\.\d+", output);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("help", "bogus")]
    public async Task An_unknown_command_is_one_message_and_exit_2(params string[] args)
    {
        (int code, string output, string error) = await RunAsync(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        string[] lines = error.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 2, error);
        Assert.Equal("objlog: 'bogus' is not an objlog command.", lines[0]);
        Assert.Equal("Run 'objlog help' for the commands.", lines[1]);
    }

    [Theory]
    [InlineData("cat", "--after", "not-a-position")]
    [InlineData("cat", "--since", "yesterday")]
    [InlineData("cat", "--since", "1h", "--until", "2h")]
    [InlineData("cat", "--after", "batch_0001764064800000000-0000000000000001-000000000001:0", "--since", "1h")]
    [InlineData("tail", "-n", "-1")]
    [InlineData("tail", "--interval", "0")]
    [InlineData("tail", "--since", "soon")]
    [InlineData("trim", "--keep", "forever")]
    [InlineData("trim", "--before", "1h", "--keep", "2h")]
    [InlineData("trim")]
    [InlineData("demo", "--events", "0")]
    [InlineData("append", "--compression", "brotli", "{}")]
    [InlineData("append", "--compression", "1", "{}")]
    [InlineData("compact", "--compression", "")]
    public async Task A_bad_value_is_a_usage_error_before_the_store_is_opened(params string[] args)
    {
        (int code, string output, string error) = await RunAsync([.. args, "--store", "./typo"]);
        Assert.True(code == 2, $"exit {code}: {error}");
        Assert.Equal("", output);
        Assert.DoesNotContain("no store at", error, StringComparison.Ordinal);
        Assert.Contains("Run 'objlog help " + args[0] + "' for usage.", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "typo")));
    }

    [Fact]
    public async Task Keep_0s_is_refused_as_zero_not_as_a_malformed_span()
    {
        (int code, _, string error) = await RunAsync("trim", "--keep", "0s");
        Assert.Equal(2, code);
        Assert.Contains("--keep: '0s' is zero: keeping nothing would remove the whole log", error, StringComparison.Ordinal);
        Assert.DoesNotContain("not a span", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_only_commands_on_a_missing_store_or_log_create_nothing_and_exit_1()
    {
        foreach (string command in new[] { "cat", "tail", "ls", "stats", "verify" })
        {
            (int code, string output, string error) = await RunAsync(command, "--store", "./typo");
            Assert.True(code == 1, $"{command}: exit {code}: {error}");
            Assert.Equal("", output);
            Assert.Contains("no store at", error, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(_dir.Path, "typo")), command);
        }

        Assert.Equal(0, (await RunAsync("append", "{}")).Code);
        (int c, string o, string e) = await RunAsync("cat", "--log", "nosuchlog");
        Assert.Equal((1, ""), (c, o));
        Assert.Contains("no such log, or it is empty", e, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Piped_output_is_unwrapped_ls_and_verify_print_json()
    {
        string log = "a-rather-long-log-name/that-goes/well-past-eighty-columns-when-listed-with-its-objects";
        Assert.Equal(0, (await RunAsync("append", "--log", log, "{\"n\":1}")).Code);
        (int code, string output, _) = await RunAsync("ls", "--log", log);
        Assert.Equal(0, code);
        string line = Assert.Single(output.TrimEnd('\n').Split('\n'));
        Assert.StartsWith(log + "/batch_", line, StringComparison.Ordinal);
        Assert.Equal(5, line.Split('\t').Length); // key, bytes, kind, modified, state

        (code, output, _) = await RunAsync("ls", "--log", log, "--json");
        Assert.Equal(0, code);
        using (JsonDocument listed = JsonDocument.Parse(Assert.Single(output.TrimEnd('\n').Split('\n'))))
        {
            Assert.Equal("batch", listed.RootElement.GetProperty("kind").GetString());
        }

        (code, output, _) = await RunAsync("verify", "--log", log, "--json");
        Assert.Equal(0, code);
        using (JsonDocument report = JsonDocument.Parse(output))
        {
            Assert.True(report.RootElement.GetProperty("sound").GetBoolean());
            Assert.Equal(1, report.RootElement.GetProperty("events").GetInt64());
        }

        (code, output, _) = await RunAsync("demo", "--events", "3");
        Assert.Equal(0, code);
        string last = Assert.Single(output.Split('\n'), l => l.StartsWith("Last event: ", StringComparison.Ordinal));
        using (JsonDocument.Parse(last["Last event: ".Length..]))
        {
        }
    }

    [SkippableFact]
    public async Task Compact_and_verify_show_progress_on_a_terminal_stderr_and_none_when_piped()
    {
        Assert.Equal(0, (await Objlog.RunAsync(_dir.Path, ["append", "--flush-threshold", "1"], string.Concat(Enumerable.Range(0, 50).Select(i => $"{{\"n\":{i}}}\n")))).Code);
        foreach (string command in new[] { "verify", "compact" })
        {
            (int code, string output, string error) = await RunAsync(command);
            Assert.True(code == 0, error);
            Assert.Equal("", error); // piped: no spinner, no escape codes
            Assert.DoesNotContain("\u001b", output, StringComparison.Ordinal);
        }

        Skip.IfNot(File.Exists("/usr/bin/script"), "needs script(1) (util-linux) to give objlog a terminal");
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/script") { WorkingDirectory = _dir.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-qec");
        start.ArgumentList.Add($"dotnet '{Path.Combine(AppContext.BaseDirectory, "objlog.dll")}' verify");
        start.ArgumentList.Add("/dev/null");
        start.Environment["TERM"] = "xterm";
        using var process = System.Diagnostics.Process.Start(start)!;
        string terminal = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("verifying", terminal, StringComparison.Ordinal);
        Assert.Contains("ok: 50 events", terminal, StringComparison.Ordinal);
    }

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => Objlog.RunAsync(_dir.Path, args, null);
}
