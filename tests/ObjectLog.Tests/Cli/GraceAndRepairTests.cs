using System.Globalization;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Cli;

/// <summary>
/// Uncommitted merged data (a compaction that crashed before its manifest) is deleted by <c>compact</c> and
/// <c>verify --repair</c> once older than <c>--abandoned-merge-grace</c> by the store's LastModified, never before;
/// committed data never; bad grace values are usage errors.
/// </summary>
public sealed class GraceAndRepairTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string LogFolder => Path.Combine(_dir.Path, "objectlog-data", "events");

    [Fact]
    public async Task Compact_deletes_an_uncommitted_merge_only_once_it_is_older_than_the_grace()
    {
        string[] orphan = await CrashACompactionAsync();

        (int code, string output, string error) = await RunAsync("compact", "--abandoned-merge-grace", "10m");
        Assert.True(code == 0, error);
        Assert.All(orphan, f => Assert.True(File.Exists(f), f)); // seconds old: its commit may still be in flight

        Age(orphan, TimeSpan.FromMinutes(11));
        (code, output, error) = await RunAsync("compact", "--abandoned-merge-grace", "10m");
        Assert.True(code == 0, error);
        Assert.Contains("deleted 2 superseded or abandoned object(s)", output, StringComparison.Ordinal); // the data and its end marker
        Assert.All(orphan, f => Assert.False(File.Exists(f), f));
        Assert.Equal(Expected, (await RunAsync("cat")).Output);
    }

    [Fact]
    public async Task Verify_repair_deletes_an_old_uncommitted_merge_never_a_young_one_or_committed_data()
    {
        string[] orphan = await CrashACompactionAsync();
        string[] committedBefore = Directory.GetFiles(LogFolder).Except(orphan).Order(StringComparer.Ordinal).ToArray();

        (int code, string output, string error) = await RunAsync("verify", "--repair");
        Assert.True(code == 0, error);
        Assert.Contains("repair: deleted 0 object(s)", output, StringComparison.Ordinal);
        Assert.All(orphan, f => Assert.True(File.Exists(f), f));

        Age(orphan, TimeSpan.FromMinutes(59));
        Assert.Equal(0, (await RunAsync("verify", "--repair")).Code); // default grace: 1 hour
        Assert.All(orphan, f => Assert.True(File.Exists(f), f));

        Age(orphan, TimeSpan.FromMinutes(61));
        (code, output, error) = await RunAsync("verify", "--repair");
        Assert.True(code == 0, error);
        Assert.Contains("repair: deleted 2 object(s)", output, StringComparison.Ordinal);
        Assert.Contains("0 uncommitted merges", output, StringComparison.Ordinal);
        Assert.All(orphan, f => Assert.False(File.Exists(f), f));
        Assert.Equal(committedBefore, Directory.GetFiles(LogFolder).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(Expected, (await RunAsync("cat")).Output);
    }

    [Fact]
    public async Task Verify_repair_keeps_a_committed_merge_and_deletes_its_originals_only_after_the_superseded_grace()
    {
        string merged;
        await using (var log = new AppendLog(new FileSystemObjectStore(Path.Combine(_dir.Path, "objectlog-data")), "events", new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, SupersededGracePeriod = TimeSpan.FromHours(1) }))
        {
            await AppendAsync(log);
            merged = (await log.CompactAsync()).NewKey!;
        }

        Assert.Equal(6, Directory.GetFiles(LogFolder).Length); // 3 originals, data, manifest, end marker
        Assert.Equal(0, (await RunAsync("verify", "--repair", "--superseded-grace", "1h")).Code);
        Assert.Equal(6, Directory.GetFiles(LogFolder).Length);

        (int code, string output, string error) = await RunAsync("verify", "--repair", "--superseded-grace", "0");
        Assert.True(code == 0, error);
        Assert.Contains("repair: deleted 3 object(s)", output, StringComparison.Ordinal);
        Assert.Equal(3, Directory.GetFiles(LogFolder).Length);
        Assert.True(File.Exists(Path.Combine(_dir.Path, "objectlog-data", merged)));
        Assert.Equal(Expected, (await RunAsync("cat")).Output);
    }

    [Theory]
    [InlineData("compact", "--abandoned-merge-grace", "5x")]
    [InlineData("compact", "--superseded-grace", "1.5h")]
    [InlineData("compact", "--superseded-grace", "")]
    [InlineData("verify", "--repair", "--abandoned-merge-grace", "-1m")]
    [InlineData("verify", "--abandoned-merge-grace", "1h")]
    public async Task A_bad_grace_is_a_usage_error_before_the_store_is_opened(params string[] args)
    {
        string missing = Path.Combine(_dir.Path, "no-such-store");
        (int code, string output, string error) = await RunAsync([.. args, "--store", missing]);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("grace", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    private const string Expected = "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n";

    private static async Task AppendAsync(AppendLog log)
    {
        for (int i = 0; i < 3; i++)
        {
            await log.AppendAsync(E(string.Create(CultureInfo.InvariantCulture, $"{{\"n\":{i}}}")));
        }
    }

    /// <summary>Stores three batches, then crashes a compaction after its merged data and end marker, before its manifest; returns those two files.</summary>
    private async Task<string[]> CrashACompactionAsync()
    {
        var faulty = new FaultInjectingObjectStore(new FileSystemObjectStore(Path.Combine(_dir.Path, "objectlog-data")));
        await using var log = new AppendLog(faulty, "events", new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan });
        await AppendAsync(log);
        await faulty.CrashCompactionBeforeCommitAsync(log);
        string[] orphan = Directory.GetFiles(LogFolder).Where(f => Path.GetFileName(f).Contains('~', StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, orphan.Length);
        return orphan;
    }

    /// <summary>Makes files look older to the store, whose LastModified is the file's modification time.</summary>
    private static void Age(string[] files, TimeSpan age)
    {
        foreach (string f in files)
        {
            File.SetLastWriteTimeUtc(f, DateTime.UtcNow - age);
        }
    }

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => Objlog.RunAsync(_dir.Path, args, null);
}
