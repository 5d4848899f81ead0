using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace ObjectLog.Tests;

/// <summary>
/// An <c>objlog tail -f</c> child process, started with its standard streams redirected: its output lines as they
/// come. Disposing ends it. Used by the CLI's tail tests and by the multi-process clock tests.
/// </summary>
public sealed class FollowingObjlog : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<long> _arrivals = new(); // Stopwatch timestamps, one per line, in the same order
    private readonly StringBuilder _error = new();

    /// <summary>Follows <paramref name="process"/>, which must have been started with input, output and error redirected.</summary>
    public FollowingObjlog(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _arrivals.Enqueue(Stopwatch.GetTimestamp()); // before the line: a reader that sees the line sees its time
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

    /// <summary>The process's id (<c>dotnet objlog.dll</c> runs in the process it starts).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The lines printed so far, in order.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>When the first line arrived (a <see cref="Stopwatch"/> timestamp), or <see langword="null"/> before any did.</summary>
    public long? FirstLineAt => _arrivals.TryPeek(out long at) ? at : null;

    /// <summary>What it wrote to standard error so far.</summary>
    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Kills it at once (SIGKILL: no cleanup, no last commit), and waits until its output is read to the end.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync(); // also waits for the redirected streams to reach their end
    }

    /// <summary>Starts the built <c>objlog</c> in <paramref name="workingDirectory"/> with <paramref name="args"/>, and follows it.</summary>
    public static FollowingObjlog Start(string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "objlog.dll"));
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new FollowingObjlog(Process.Start(start)!);
    }

    /// <summary>Waits until every one of <paramref name="expected"/> has been printed; fails naming what is missing.</summary>
    public async Task WaitForAsync(IReadOnlyCollection<string> expected, TimeSpan timeout, string why)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var printed = _lines.ToHashSet(StringComparer.Ordinal);
            string[] missing = [.. expected.Where(e => !printed.Contains(e))];
            if (missing.Length == 0)
            {
                return;
            }

            if (stopwatch.Elapsed > timeout || _process.HasExited)
            {
                string error;
                lock (_error)
                {
                    error = _error.ToString();
                }

                Assert.Fail($"{why}: after {stopwatch.Elapsed.TotalSeconds:F1} s, objlog tail -f {(_process.HasExited ? $"exited {_process.ExitCode}" : "still runs")} and has not printed {missing.Length} of {expected.Count} events, such as {missing[0]}.\nIt printed:\n{string.Join('\n', _lines)}\nstderr:\n{error}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Ends the process (and anything it started) if it still runs.</summary>
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
