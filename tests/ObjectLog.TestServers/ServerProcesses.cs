using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace ObjectLog.TestServers;

/// <summary>Where the test servers live and how to start and stop them.</summary>
public static class ServerProcesses
{
    public const string InstallHint = "run 'bash tests/servers/install.sh' from the repository root (as root for Ceph)";

    /// <summary>The repository's <c>tests/servers</c> folder, found by walking up from the test assembly.</summary>
    public static string Directory { get; } = FindServersDirectory();

    /// <summary>Runs <paramref name="initialize"/> on a new server; if it fails, stops what it started and rethrows.</summary>
    public static async Task<T> StartOrDisposeAsync<T>(T server, Func<T, Task> initialize)
        where T : IAsyncDisposable
    {
        try
        {
            await initialize(server);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts a node script from <c>tests/servers/node_modules</c> and waits for a line matching <paramref name="ready"/>.</summary>
    public static async Task<(Process Process, Match Ready)> StartNodeAsync(string what, string script, IEnumerable<string> args, Regex ready, TimeSpan timeout, params string[] nodeOptions)
    {
        string path = Path.Combine(Directory, "node_modules", script);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{what} is not installed ({path} is missing): {InstallHint}.");
        }

        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        foreach (string arg in nodeOptions.Append(path).Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        return await StartAsync(what, info, ready, timeout);
    }

    /// <summary>Starts a process and waits until a line of its output matches <paramref name="ready"/>.</summary>
    public static async Task<(Process Process, Match Ready)> StartAsync(string what, ProcessStartInfo info, Regex ready, TimeSpan timeout)
    {
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"{what} did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{what} could not start ('{info.FileName}' not found: {e.Message}): install Node.js 20 or later, then {InstallHint}.", e);
        }

        var output = new StringBuilder();
        var matched = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            Match m = ready.Match(e.Data);
            if (m.Success)
            {
                matched.TrySetResult(m);
            }
        }

        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Task exited = process.WaitForExitAsync();
        Task done = await Task.WhenAny(matched.Task, exited, Task.Delay(timeout));
        if (done == matched.Task)
        {
            return (process, await matched.Task);
        }

        Stop(process);
        string log;
        lock (output)
        {
            log = output.ToString();
        }

        string why = done == exited ? $"exited with code {process.ExitCode}" : $"was not ready within {timeout.TotalSeconds:0} s";
        throw new InvalidOperationException($"{what} {why}. Its output:\n{log}");
    }

    /// <summary>Stops a process this test run started, by its id, and waits for it.</summary>
    public static void Stop(Process? process)
    {
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }

    /// <summary>Runs a command to completion and returns its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{fileName} {string.Join(' ', args)}' did not finish within {timeout.TotalSeconds:0} s.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>A fresh directory for a server's data.</summary>
    public static string NewDataDirectory(string name)
    {
        string path = Path.Combine(Path.GetTempPath(), "objectlog-servers", $"{name}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    public static void DeleteDirectory(string? path)
    {
        try
        {
            if (path is not null)
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string FindServersDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ObjectLog.slnx")))
            {
                return Path.Combine(dir.FullName, "tests", "servers");
            }
        }

        throw new InvalidOperationException($"Could not find the repository root (ObjectLog.slnx) above {AppContext.BaseDirectory}.");
    }
}
