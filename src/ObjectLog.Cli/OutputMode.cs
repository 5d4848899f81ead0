using Spectre.Console;

namespace ObjectLog.Cli;

/// <summary>
/// How output looks: tables and colour on a terminal; plain, unwrapped lines when stdout is piped or redirected (so
/// <c>objlog ls | grep</c> finds whole keys and <c>demo &gt; file</c> keeps whole events); no colour with NO_COLOR.
/// </summary>
internal static class OutputMode
{
    /// <summary>Whether stdout is a terminal: tables only then.</summary>
    public static bool IsTerminal => !Console.IsOutputRedirected;

    public static void Configure()
    {
        if (!IsTerminal)
        {
            // Spectre wraps at 80 columns when it cannot measure a terminal; a pipe has no width, so never wrap.
            AnsiConsole.Profile.Width = int.MaxValue / 2;
            AnsiConsole.Profile.Capabilities.Ansi = false;
            AnsiConsole.Profile.Capabilities.ColorSystem = ColorSystem.NoColors;
        }

        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")))
        {
            AnsiConsole.Profile.Capabilities.ColorSystem = ColorSystem.NoColors; // https://no-color.org
        }
    }
}
