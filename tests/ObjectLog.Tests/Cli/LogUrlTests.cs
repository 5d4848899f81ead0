namespace ObjectLog.Tests.Cli;

/// <summary>
/// The URL a logger or a hosted log is given (<c>file://./objectlog-data/app-logs</c>) names the same log on the
/// command line: as the argument of a command that reads or keeps a log, or as <c>--log</c>.
/// </summary>
public sealed class LogUrlTests : IDisposable
{
    private const string LoggerUrl = "file://./objectlog-data/app-logs";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_loggers_url_reads_and_writes_the_log_that_store_and_log_name()
    {
        Assert.Equal(0, (await RunAsync("append", "--store", "file://./objectlog-data", "--log", "app-logs", "{\"n\":1}")).Code);
        (int code, _, string error) = await RunAsync("append", "--log", LoggerUrl, "{\"n\":2}");
        Assert.True(code == 0, error);

        foreach (string[] args in new[] { new[] { "cat", LoggerUrl }, ["cat", "--log", LoggerUrl], ["cat", "--store", "file://./objectlog-data", "--log", "app-logs"], ["cat", "./objectlog-data/app-logs"] })
        {
            (code, string output, error) = await RunAsync(args);
            Assert.True(code == 0, $"{string.Join(' ', args)}: {error}");
            Assert.Equal("{\"n\":1}\n{\"n\":2}\n", output);
        }

        foreach (string command in new[] { "ls", "verify", "stats", "files" })
        {
            (code, _, error) = await RunAsync(command, LoggerUrl);
            Assert.True(code == 0, $"{command}: {error}");
        }

        (code, string tailed, _) = await RunAsync("tail", "-n", "1", LoggerUrl);
        Assert.Equal((0, "{\"n\":2}\n"), (code, tailed));
    }

    [Fact]
    public async Task A_read_that_finds_nothing_where_the_store_is_a_log_says_what_to_type()
    {
        Assert.Equal(0, (await RunAsync("append", "--log", LoggerUrl, "{}")).Code);
        (int code, string output, string error) = await RunAsync("cat", "--store", LoggerUrl);
        Assert.Equal((1, ""), (code, output));
        Assert.Contains("no such log, or it is empty", error, StringComparison.Ordinal);
        Assert.Contains($"objlog cat {LoggerUrl}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_url_given_to_append_as_an_event_is_refused_with_what_to_type()
    {
        (int code, _, string error) = await RunAsync("append", LoggerUrl, "{}");
        Assert.Equal(2, code);
        Assert.Contains("argument 1 is not JSON", error, StringComparison.Ordinal);
        Assert.Contains("give it as --log URL", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "objectlog-data", "app-logs")));
    }

    [Theory]
    [InlineData("cat", LoggerUrl, "--log", "events")]
    [InlineData("cat", LoggerUrl, "--store", "file://./objectlog-data")]
    [InlineData("cat", "--store", "file://./objectlog-data", "--log", LoggerUrl)]
    public async Task A_log_url_with_another_way_of_naming_the_log_is_a_usage_error(params string[] args)
    {
        (int code, string output, string error) = await RunAsync(args);
        Assert.Equal((2, ""), (code, output));
        Assert.Contains("not both", error, StringComparison.Ordinal);
    }

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => Objlog.RunAsync(_dir.Path, args, null);
}
