using System.Diagnostics;

namespace ObjectLog.Tests.Cli;

/// <summary>Runs <c>objlog</c> in a child process, as a user would.</summary>
internal static class Objlog
{
    /// <summary>Runs it in <paramref name="workingDirectory"/> with <paramref name="args"/>, feeding it <paramref name="stdin"/>, with <paramref name="environment"/> added to its environment; returns its exit code and what it wrote.</summary>
    public static Task<(int Code, string Output, string Error)> RunAsync(string workingDirectory, string[] args, string? stdin, IReadOnlyDictionary<string, string>? environment = null)
        => RunBytesAsync(workingDirectory, args, stdin is null ? null : System.Text.Encoding.UTF8.GetBytes(stdin), environment);

    /// <summary>Runs it as the overload with text does, feeding it <paramref name="stdin"/> as bytes (which need not be UTF-8).</summary>
    public static async Task<(int Code, string Output, string Error)> RunBytesAsync(string workingDirectory, string[] args, byte[]? stdin, IReadOnlyDictionary<string, string>? environment = null)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "objlog.dll");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(cli);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start)!;
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.BaseStream.WriteAsync(stdin);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // the command stopped reading its input early (append stops at a refused line), as it may
        }
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
