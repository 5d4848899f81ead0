using System.Diagnostics;
using ObjectLog.Internal;
using ObjectLog.Storage;
using ObjectLog.Tests.Cli;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>
/// A compaction that merges more than fits in memory spools to a spill file. A process killed mid-merge cannot
/// delete it, so spill files live in one folder, named for their process, where the next spill sweeps those whose
/// process is gone and <c>objlog verify</c> reports them.
/// </summary>
public sealed class SpillFileTests
{
    private static string SpillFolder => Path.Combine(Path.GetTempPath(), "objectlog-spill");

    [Fact]
    public async Task A_compaction_spills_into_the_swept_folder_under_a_name_that_says_which_process_owns_it()
    {
        var faulty = new FaultInjectingObjectStore(new InMemoryObjectStore());
        await using var log = new AppendLog(faulty, "events", new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan, Compression = LogCompression.None }); // plain: the spool is sized by the stored bytes
        byte[] big = new byte[512 * 1024];
        big.AsSpan().Fill((byte)'x');
        for (int i = 0; i < 72; i++) // 36 MiB: more than the 32 MiB a merge keeps in memory
        {
            await log.AppendAsync(big);
        }

        await log.FlushAsync();
        faulty.HoldPuts(); // the merged data's PUT waits, with the spill file full
        Task<CompactionStats> compaction = log.CompactAsync();
        string[] mine = [];
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            while (faulty.PutsInFlight == 0)
            {
                await Task.Delay(10, timeout.Token);
            }

            mine = Directory.Exists(SpillFolder) ? Directory.GetFiles(SpillFolder, $"objectlog-spill-{Environment.ProcessId}-*.tmp") : [];
        }
        finally
        {
            faulty.ReleasePuts();
        }

        Assert.NotNull((await compaction).NewKey);
        Assert.NotEmpty(mine);
        Assert.All(mine, f => Assert.False(File.Exists(f), f)); // deleted when the merge is done with it
    }

    [Fact]
    public void A_dead_processs_spill_file_is_reported_then_swept_by_the_next_spill_and_a_live_ones_never()
    {
        using var dir = new TempDirectory();
        string folder = Path.Combine(dir.Path, SpillFile.FolderName);
        Directory.CreateDirectory(folder);
        long myStart = SpillFile.StartOf(Environment.ProcessId)!.Value;
        string dead = Touch(folder, SpillFile.NameOf(int.MaxValue, 12345)); // no process has that id
        string reused = Touch(folder, SpillFile.NameOf(Environment.ProcessId, myStart + 1)); // its id, now another process's
        string live = Touch(folder, SpillFile.NameOf(Environment.ProcessId, myStart));
        string other = Touch(folder, "objectlog-spill-notes.tmp"); // not a name spill files have: never touched
        string[] before = [dead, reused];

        Assert.Equal(before.Order(StringComparer.Ordinal), SpillFile.FindStale(folder));
        Assert.All(before, f => Assert.True(File.Exists(f), f)); // reporting deletes nothing

        string created;
        using (FileStream spill = SpillFile.Create(folder))
        {
            created = spill.Name;
            Assert.All(before, f => Assert.False(File.Exists(f), f));
            Assert.True(File.Exists(live));
            Assert.True(File.Exists(other));
            Assert.StartsWith($"objectlog-spill-{Environment.ProcessId}-{myStart}-", Path.GetFileName(created), StringComparison.Ordinal);
            Assert.Empty(SpillFile.FindStale(folder)); // its own is live
        }

        Assert.False(File.Exists(created));
        Assert.True(File.Exists(live));
    }

    [SkippableFact]
    public async Task Another_processs_spill_file_is_live_while_it_runs_and_stale_once_it_is_gone()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/bin/sleep"), "needs /bin/sleep");
        using var dir = new TempDirectory();
        using Process sleeper = Process.Start("/bin/sleep", "60");
        string file;
        try
        {
            long start = SpillFile.StartOf(sleeper.Id)!.Value;
            Assert.NotEqual(SpillFile.StartOf(Environment.ProcessId), start);
            file = Touch(dir.Path, SpillFile.NameOf(sleeper.Id, start));
            Assert.Empty(SpillFile.FindStale(dir.Path));
            SpillFile.Create(dir.Path).Dispose();
            Assert.True(File.Exists(file));
        }
        finally
        {
            sleeper.Kill();
            await sleeper.WaitForExitAsync();
        }

        Assert.Equal([file], SpillFile.FindStale(dir.Path));
        Assert.Equal(1, SpillFile.Sweep(dir.Path));
        Assert.False(File.Exists(file));
    }

    [SkippableFact]
    public void The_spill_folder_is_shared_like_the_temp_folder_and_each_file_is_its_owners_alone()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes");
        using var dir = new TempDirectory();
        string folder = Path.Combine(dir.Path, SpillFile.FolderName);
        using FileStream spill = SpillFile.Create(folder);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal((UnixFileMode)0b1_111_111_111, File.GetUnixFileMode(folder));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(spill.Name));
        }
    }

    [Fact]
    public async Task Verify_lists_stale_spill_files_without_deleting_them_or_failing_the_log()
    {
        using var dir = new TempDirectory();
        await using (var log = new AppendLog(new FileSystemObjectStore(Path.Combine(dir.Path, "data")), "events", Quiet()))
        {
            await log.AppendAsync(E("{}"));
        }

        string temp = Path.Combine(dir.Path, "tmp"); // the CLI's temp folder, by TMPDIR
        string folder = Path.Combine(temp, SpillFile.FolderName);
        Directory.CreateDirectory(folder);
        string dead = Touch(folder, SpillFile.NameOf(int.MaxValue, 1));
        var environment = new Dictionary<string, string> { ["TMPDIR"] = temp };
        string objlog = Path.Combine(AppContext.BaseDirectory, "objlog.dll");

        (int code, string output, string error) = await ChildProcess.RunDllAsync(objlog, dir.Path, ["verify", "--store", "./data"], environment);
        Assert.True(code == 0, error);
        Assert.Contains($"stale spill file (a compaction died mid-merge; the next compaction that spills to disk deletes it): {dead}", output, StringComparison.Ordinal);

        (code, output, error) = await ChildProcess.RunDllAsync(objlog, dir.Path, ["verify", "--store", "./data", "--json"], environment);
        Assert.True(code == 0, error);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal([dead], json.RootElement.GetProperty("stale_spill_files").EnumerateArray().Select(e => e.GetString()));
        Assert.True(File.Exists(dead));
    }

    private static string Touch(string folder, string name)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, [1, 2, 3]);
        return path;
    }
}
