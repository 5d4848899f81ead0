using System.Diagnostics;

namespace ObjectLog.Tests.Cli;

/// <summary><c>objlog tail -n N</c>, with and without <c>-f</c>: the last N events, read from the newest objects back.</summary>
public sealed class TailCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Tail_prints_the_last_events_though_an_older_object_is_damaged()
    {
        Assert.Equal(0, (await RunAsync(["append", "--raw", "--flush-threshold", "1"], stdin: "a\nb\nc\nd\ne\n")).Code);
        string damaged = Directory.GetFiles(Path.Combine(_dir.Path, "objectlog-data", "events"), "batch_*.jsonl*").Order(StringComparer.Ordinal).First();
        byte[] body = await File.ReadAllBytesAsync(damaged);
        body[0] = (byte)'A'; // the checksum in its name no longer matches
        File.SetAttributes(damaged, FileAttributes.Normal);
        await File.WriteAllBytesAsync(damaged, body);

        (int code, _, string error) = await RunAsync(["cat"]);
        Assert.Equal(1, code);
        Assert.Contains(Path.GetFileName(damaged), error, StringComparison.Ordinal);

        (code, string output, error) = await RunAsync(["tail", "-n", "2"]);
        Assert.True(code == 0, $"exit {code}: {error}");
        Assert.Equal("d\ne\n", output);

        (code, _, error) = await RunAsync(["tail", "-n", "5"]); // asks for the damaged object's event
        Assert.Equal(1, code);
        Assert.Contains(Path.GetFileName(damaged), error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tail_follow_prints_the_last_events_then_each_new_one_once_and_none_older()
    {
        Assert.Equal(0, (await RunAsync(["append", "--raw", "--flush-threshold", "1"], stdin: "a\nb\nc\n")).Code);
        Assert.Equal(0, (await RunAsync(["compact"])).Code); // a, b and c in one merged object, read whole
        Assert.Equal(0, (await RunAsync(["append", "--raw", "--flush-threshold", "1"], stdin: "d\ne\n")).Code);

        using var last2 = FollowingObjlog.Start(_dir.Path, ["tail", "-n", "2", "-f", "--interval", "0.2"]);
        await last2.WaitForAsync(["d", "e"], TimeSpan.FromSeconds(60), "the tail did not print the last two events");
        Assert.Equal(0, (await RunAsync(["append", "--raw", "f"])).Code);
        await last2.WaitForAsync(["f"], TimeSpan.FromSeconds(60), "the tail did not print a new event");

        // -n 0 prints only what comes after it started: append until it prints, then each new one once.
        using var none = FollowingObjlog.Start(_dir.Path, ["tail", "-n", "0", "-f", "--interval", "0.2"]);
        var appended = new List<string>();
        var stopwatch = Stopwatch.StartNew();
        while (none.Lines.Count == 0 && stopwatch.Elapsed < TimeSpan.FromSeconds(60))
        {
            appended.Add($"g{appended.Count}");
            Assert.Equal(0, (await RunAsync(["append", "--raw", appended[^1]])).Code);
            await Task.Delay(300);
        }

        Assert.Equal(0, (await RunAsync(["append", "--raw", "h"])).Code);
        await none.WaitForAsync(["h"], TimeSpan.FromSeconds(60), "tail -n 0 -f did not print a new event");
        await last2.WaitForAsync(["h"], TimeSpan.FromSeconds(60), "the tail did not print a later event");

        Assert.Equal(["d", "e", "f", .. appended, "h"], last2.Lines);
        IReadOnlyList<string> printed = none.Lines;
        Assert.Equal([.. appended.TakeLast(printed.Count - 1), "h"], printed); // none older than it started, none twice
    }

    private Task<(int Code, string Output, string Error)> RunAsync(string[] args, string? stdin = null) => Objlog.RunAsync(_dir.Path, args, stdin);
}
