using System.Globalization;
using ObjectLog.Storage;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Cli;

/// <summary>
/// <c>verify --repair</c>, <c>compact</c> and <c>trim</c> on a folder they cannot change: each key they could not
/// delete is printed with the reason, and they exit 1. Tests run as root, whom file modes do not stop, so the
/// command runs as <c>nobody</c> (with <c>setpriv</c>) on a folder that root owns.
/// </summary>
public sealed class DeleteFailureCliTests : IDisposable
{
    private const string Expected = "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Store => Path.Combine(_dir.Path, "objectlog-data");

    private string LogFolder => Path.Combine(Store, "events");

    [SkippableFact]
    public async Task Verify_repair_on_a_folder_it_cannot_write_names_each_key_it_could_not_delete_and_exits_1()
    {
        SkipUnlessUnprivilegedRunIsPossible();
        await AppendAsync(new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, SupersededGracePeriod = TimeSpan.FromHours(1) }, compact: true);
        string[] originals = Originals();
        Assert.Equal(3, originals.Length); // kept for their grace period, now due with --superseded-grace 0

        (int code, string output, string error) = await RunAsNobodyAsync("verify", "--repair", "--superseded-grace", "0");
        Assert.True(code == 1, $"exit {code}\n{output}\n{error}");
        Assert.Contains("could not delete 3 object(s)", error, StringComparison.Ordinal);
        foreach (string original in originals)
        {
            Assert.Contains($"events/{Path.GetFileName(original)}: ", error, StringComparison.Ordinal);
            Assert.True(File.Exists(original), original);
        }

        Assert.Contains("denied", error, StringComparison.OrdinalIgnoreCase); // the reason, as the system gave it
        Assert.Contains("ok: 3 events", output, StringComparison.Ordinal); // the report still runs: the log is sound

        // As the folder's owner the same repair goes through.
        (code, output, error) = await Objlog.RunAsync(_dir.Path, ["verify", "--repair", "--superseded-grace", "0"], null);
        Assert.True(code == 0, error);
        Assert.Contains("repair: deleted 3 object(s)", output, StringComparison.Ordinal);
        Assert.Empty(Originals());
    }

    [SkippableFact]
    public async Task Verify_repair_that_must_write_to_a_folder_it_cannot_write_exits_1_with_the_error()
    {
        SkipUnlessUnprivilegedRunIsPossible();
        await AppendAsync(new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan }, compact: true);
        string marker = Assert.Single(Directory.GetFiles(LogFolder, "*.end.json"));
        File.Delete(marker); // the repair writes missing end markers

        (int code, string output, string error) = await RunAsNobodyAsync("verify", "--repair");
        Assert.True(code == 1, $"exit {code}\n{output}\n{error}");
        Assert.Contains(Path.GetFileName(marker), error, StringComparison.Ordinal);
        Assert.Contains("denied", error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("repair: deleted", output, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [SkippableFact]
    public async Task Verify_repair_json_lists_what_it_could_not_delete()
    {
        SkipUnlessUnprivilegedRunIsPossible();
        await AppendAsync(new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, SupersededGracePeriod = TimeSpan.FromHours(1) }, compact: true);

        (int code, string output, string error) = await RunAsNobodyAsync("verify", "--repair", "--superseded-grace", "0", "--json");
        Assert.True(code == 1, $"exit {code}\n{output}\n{error}");
        using var json = System.Text.Json.JsonDocument.Parse(output);
        System.Text.Json.JsonElement failures = json.RootElement.GetProperty("repair_failures");
        Assert.Equal(3, failures.GetArrayLength());
        Assert.All(failures.EnumerateArray(), f =>
        {
            Assert.StartsWith("events/batch_", f.GetProperty("key").GetString(), StringComparison.Ordinal);
            Assert.Contains("denied", f.GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
        });
        Assert.Equal(0, json.RootElement.GetProperty("repair_deleted").GetInt32());
    }

    [SkippableFact]
    public async Task Compact_and_trim_on_a_folder_that_refuses_deletes_name_what_they_left_and_exit_1()
    {
        SkipUnlessUnprivilegedRunIsPossible();
        await AppendAsync(new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan }, compact: false);
        string[] originals = Originals();

        // Sticky and writable by all, as /tmp: nobody may add objects, and delete only its own, never root's.
        foreach (string folder in new[] { LogFolder, Path.Combine(Store, FileSystemObjectStore.StagingFolderName) })
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(folder, (UnixFileMode)0b1_111_111_111);
            }
        }

        (int code, string output, string error) = await RunAsNobodyAsync("compact");
        Assert.True(code == 1, $"exit {code}\n{output}\n{error}");
        Assert.Contains("merged 3 objects (3 events)", output, StringComparison.Ordinal);
        Assert.Contains("could not delete 3 object(s)", error, StringComparison.Ordinal);
        Assert.All(originals, o => Assert.Contains($"events/{Path.GetFileName(o)}: ", error, StringComparison.Ordinal));
        Assert.Equal(Expected, (await Objlog.RunAsync(_dir.Path, ["cat"], null)).Output); // the merge is committed all the same

        string now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        (code, output, error) = await RunAsNobodyAsync("trim", "--before", now);
        Assert.True(code == 1, $"exit {code}\n{output}\n{error}");
        Assert.Contains("could not delete 3 object(s)", error, StringComparison.Ordinal); // its own merge went; root's originals stayed
        Assert.All(originals, o => Assert.Contains($"events/{Path.GetFileName(o)}: ", error, StringComparison.Ordinal));
        Assert.Equal("", (await Objlog.RunAsync(_dir.Path, ["cat"], null)).Output); // trimmed for readers all the same
    }

    private string[] Originals()
        => Directory.GetFiles(LogFolder).Where(f => !Path.GetFileName(f).Contains('~', StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();

    private async Task AppendAsync(AppendLogOptions options, bool compact)
    {
        await using var log = new AppendLog(new FileSystemObjectStore(Store), "events", options);
        for (int i = 0; i < 3; i++)
        {
            await log.AppendAsync(E(string.Create(CultureInfo.InvariantCulture, $"{{\"n\":{i}}}")));
        }

        if (compact)
        {
            await log.CompactAsync();
        }
    }

    private static void SkipUnlessUnprivilegedRunIsPossible()
        => Skip.IfNot(OperatingSystem.IsLinux() && Environment.UserName == "root" && File.Exists("/usr/bin/setpriv"), "needs Linux, root and setpriv, to run objlog as nobody");

    /// <summary>Runs objlog in the test's folder as user <c>nobody</c>, whom the folder's modes bind.</summary>
    private Task<(int Code, string Output, string Error)> RunAsNobodyAsync(params string[] args)
        => ChildProcess.RunProgramAsync(
            "/usr/bin/setpriv",
            _dir.Path,
            ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "dotnet", Path.Combine(AppContext.BaseDirectory, "objlog.dll"), .. args]);
}
