using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

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
        string damaged = Directory.GetFiles(Path.Combine(_dir.Path, "objectlog-data", "events"), "batch_*.jsonl").Order(StringComparer.Ordinal).First();
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

        using var last2 = new FollowingTail(_dir.Path, ["tail", "-n", "2", "-f", "--interval", "0.2"]);
        await last2.WaitForAsync(["d", "e"], "the tail did not print the last two events");
        Assert.Equal(0, (await RunAsync(["append", "--raw", "f"])).Code);
        await last2.WaitForAsync(["f"], "the tail did not print a new event");

        // -n 0 prints only what comes after it started: append until it prints, then each new one once.
        using var none = new FollowingTail(_dir.Path, ["tail", "-n", "0", "-f", "--interval", "0.2"]);
        var appended = new List<string>();
        var stopwatch = Stopwatch.StartNew();
        while (none.Lines.Count == 0 && stopwatch.Elapsed < TimeSpan.FromSeconds(60))
        {
            appended.Add($"g{appended.Count}");
            Assert.Equal(0, (await RunAsync(["append", "--raw", appended[^1]])).Code);
            await Task.Delay(300);
        }

        Assert.Equal(0, (await RunAsync(["append", "--raw", "h"])).Code);
        await none.WaitForAsync(["h"], "tail -n 0 -f did not print a new event");
        await last2.WaitForAsync(["h"], "the tail did not print a later event");

        Assert.Equal(["d", "e", "f", .. appended, "h"], last2.Lines);
        IReadOnlyList<string> printed = none.Lines;
        Assert.Equal([.. appended.TakeLast(printed.Count - 1), "h"], printed); // none older than it started, none twice
    }

    private Task<(int Code, string Output, string Error)> RunAsync(string[] args, string? stdin = null) => Objlog.RunAsync(_dir.Path, args, stdin);

    /// <summary>An <c>objlog tail -f</c> child process: its output lines as they come. Disposing ends it.</summary>
    private sealed class FollowingTail : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly StringBuilder _error = new();

        public FollowingTail(string workingDirectory, string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "objlog.dll"));
            foreach (string a in args)
            {
                start.ArgumentList.Add(a);
            }

            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    _lines.Enqueue(e.Data);
                }
            };
            _process.ErrorDataReceived += (_, e) =>
            {
                lock (_error)
                {
                    _error.AppendLine(e.Data);
                }
            };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            _process.StandardInput.Close();
        }

        public IReadOnlyList<string> Lines => [.. _lines];

        /// <summary>Waits until every one of <paramref name="expected"/> has been printed; fails naming what is missing.</summary>
        public async Task WaitForAsync(IReadOnlyCollection<string> expected, string why)
        {
            var stopwatch = Stopwatch.StartNew();
            while (expected.Except(_lines).Any())
            {
                if (stopwatch.Elapsed > TimeSpan.FromSeconds(60) || _process.HasExited)
                {
                    lock (_error)
                    {
                        Assert.Fail($"{why}: it printed [{string.Join(", ", _lines)}]; stderr: {_error}");
                    }
                }

                await Task.Delay(100);
            }
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // it exited meanwhile
            }

            _process.Dispose();
        }
    }
}
