using System.Diagnostics;

namespace ObjectLog.Tests;

/// <summary>Runs a built .NET program (a sample, <c>objlog</c>) as a user would: in a child process, in a folder of the test's.</summary>
internal static class ChildProcess
{
    /// <summary>The folder of the repository's <c>ObjectLog.slnx</c>, found above the test's output folder.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static Task<(int Code, string Output, string Error)> RunDllAsync(string dll, string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
        => RunProgramAsync("dotnet", workingDirectory, [dll, .. args], environment);

    /// <summary>Runs <paramref name="program"/> (a path, or a name found on PATH) with <paramref name="args"/>; returns its exit code and what it wrote.</summary>
    public static async Task<(int Code, string Output, string Error)> RunProgramAsync(string program, string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true); // a hung program must not outlive its test
            throw;
        }

        return (process.ExitCode, await output, await error);
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "ObjectLog.slnx")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException($"No ObjectLog.slnx above {AppContext.BaseDirectory}.");
    }
}
