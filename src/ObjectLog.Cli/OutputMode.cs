using System.Globalization;
using Spectre.Console;

namespace ObjectLog.Cli;

/// <summary>
/// How output looks: tables and colour on a terminal; plain, unwrapped lines when stdout is piped or redirected (so
/// <c>objlog ls | grep</c> finds whole keys and <c>demo &gt; file</c> keeps whole events); no colour with NO_COLOR.
/// <c>OBJLOG_COLUMNS=N</c> asks for tables N columns wide, piped or not (for scripts that show tables, and tests).
/// </summary>
internal static class OutputMode
{
    /// <summary>The table width <c>OBJLOG_COLUMNS</c> asks for, if it holds a whole number of at least 40.</summary>
    private static int? ForcedWidth
        => int.TryParse(Environment.GetEnvironmentVariable("OBJLOG_COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out int width) && width >= 40 ? width : null;

    /// <summary>Whether stdout is a terminal (or tables are asked for): tables only then.</summary>
    public static bool IsTerminal => !Console.IsOutputRedirected || ForcedWidth is not null;

    /// <summary>How wide a table may be: the terminal's width, or what <c>OBJLOG_COLUMNS</c> says.</summary>
    public static int Width => ForcedWidth ?? AnsiConsole.Profile.Width;

    public static void Configure()
    {
        if (Console.IsOutputRedirected)
        {
            // Spectre wraps at 80 columns when it cannot measure a terminal; a pipe has no width, so never wrap.
            AnsiConsole.Profile.Width = ForcedWidth ?? int.MaxValue / 2;
            AnsiConsole.Profile.Capabilities.Ansi = false;
            AnsiConsole.Profile.Capabilities.ColorSystem = ColorSystem.NoColors;
        }
        else if (ForcedWidth is { } width)
        {
            AnsiConsole.Profile.Width = width;
        }

        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")))
        {
            AnsiConsole.Profile.Capabilities.ColorSystem = ColorSystem.NoColors; // https://no-color.org
        }
    }
}
