namespace ObjectLog.Tests.Ui;

/// <summary>
/// Debian's chromium, which the browser tests drive through Playwright by its path: Playwright's own browser builds
/// are downloaded from outside the package registries, so they are never installed here.
/// </summary>
internal static class Chromium
{
    /// <summary>Where the tests look for the browser when <c>OBJECTLOG_CHROMIUM</c> does not name one.</summary>
    private static readonly string[] Known = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"];

    /// <summary>The browser's executable; a missing one fails the tests that need it, saying how to install it.</summary>
    public static string Executable()
    {
        if (Environment.GetEnvironmentVariable("OBJECTLOG_CHROMIUM") is { Length: > 0 } given)
        {
            return File.Exists(given) ? given : throw new InvalidOperationException($"OBJECTLOG_CHROMIUM names {given}, which does not exist.");
        }

        IEnumerable<string> onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "chromium"));
        return onPath.Concat(Known).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("The browser tests of objlog ui need chromium, which is not installed: install Debian's chromium: apt-get install chromium (tests/servers/install.sh does, run as root), or name another Chromium with OBJECTLOG_CHROMIUM.");
    }
}
