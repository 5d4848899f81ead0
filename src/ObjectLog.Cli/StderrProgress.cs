using Spectre.Console;

namespace ObjectLog.Cli;

/// <summary>
/// A spinner on stderr, with what is being done and for how long, while long work runs (a compaction or a verify
/// over thousands of objects), only when stderr is a terminal: piped or redirected, nothing is printed, so scripts
/// and log files get only results and errors.
/// </summary>
internal static class StderrProgress
{
    /// <summary>Whether stderr is a terminal.</summary>
    public static bool IsShown => !Console.IsErrorRedirected;

    public static async Task<T> RunAsync<T>(string doing, Func<Task<T>> work)
    {
        if (!IsShown)
        {
            return await work();
        }

        IAnsiConsole stderr = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            ColorSystem = string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        return await stderr.Status().StartAsync(doing, async status =>
        {
            var started = DateTimeOffset.UtcNow;
            Task<T> running = work();
            while (await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(1))) != running)
            {
                status.Status($"{doing} ({(DateTimeOffset.UtcNow - started).TotalSeconds:F0} s)");
            }

            return await running;
        });
    }
}
