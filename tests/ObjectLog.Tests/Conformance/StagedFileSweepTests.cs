using Microsoft.Extensions.Time.Testing;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Conformance;

/// <summary>Staged files a killed writer left in <c>.objectlog-tmp</c> are reported by verify and removed by the next writer, never a live one.</summary>
public sealed class StagedFileSweepTests
{
    [Fact]
    public async Task A_put_removes_staged_files_older_than_the_bound_and_keeps_young_ones()
    {
        using var dir = new TempDirectory();
        string staging = Path.Combine(dir.Path, FileSystemObjectStore.StagingFolderName);
        Directory.CreateDirectory(staging);
        string dead = Staged(staging, "dead", DateTime.UtcNow - FileSystemObjectStore.StaleStagedFileAge - TimeSpan.FromMinutes(1));
        string young = Staged(staging, "young", DateTime.UtcNow - FileSystemObjectStore.StaleStagedFileAge + TimeSpan.FromMinutes(5));
        string other = Path.Combine(staging, "notes.txt"); // not one of ours: left alone whatever its age
        File.WriteAllText(other, "x");
        File.SetLastWriteTimeUtc(other, DateTime.UtcNow.AddDays(-2));

        var store = new FileSystemObjectStore(dir.Path);
        Assert.True(File.Exists(dead), "opening a store changes nothing (read-only commands open stores too)");
        await store.ListAsync("").ToListAsync();
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.GetAsync("missing"));
        Assert.True(File.Exists(dead), "reads change nothing");

        await store.PutAsync("a/b", "x"u8.ToArray());
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(young));
        Assert.True(File.Exists(other));
        Assert.Equal(["a/b"], (await store.ListAsync("").ToListAsync()).Select(m => m.Key));
    }

    [Fact]
    public async Task Puts_sweep_again_only_once_the_bound_has_passed()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new FileSystemObjectStore(dir.Path, time);
        await store.PutAsync("first", "x"u8.ToArray()); // sweeps (nothing there) and schedules the next sweep
        string staging = Path.Combine(dir.Path, FileSystemObjectStore.StagingFolderName);
        string dead = Staged(staging, "dead", time.GetUtcNow().UtcDateTime - FileSystemObjectStore.StaleStagedFileAge - TimeSpan.FromMinutes(1));

        await store.PutAsync("second", "x"u8.ToArray());
        Assert.True(File.Exists(dead), "one sweep an hour, not one a put");

        time.Advance(FileSystemObjectStore.StaleStagedFileAge);
        await store.PutAsync("third", "x"u8.ToArray());
        Assert.False(File.Exists(dead));
    }

    [Fact]
    public async Task Verify_reports_stale_staged_files_without_removing_them_or_failing_the_log()
    {
        using var dir = new TempDirectory();
        var store = new FileSystemObjectStore(dir.Path);
        await using var log = new AppendLog(store, "events");
        await log.AppendAsync("{}"u8.ToArray());
        await log.FlushAsync();
        string staging = Path.Combine(dir.Path, FileSystemObjectStore.StagingFolderName);
        string dead = Staged(staging, "dead", DateTime.UtcNow.AddHours(-3));
        Staged(staging, "live", DateTime.UtcNow);

        VerifyReport report = await log.VerifyAsync();
        Assert.Equal([$"{FileSystemObjectStore.StagingFolderName}/dead.tmp"], report.StaleStagedFiles);
        Assert.True(report.IsSound);
        Assert.Equal(1, report.Events);
        Assert.True(File.Exists(dead));

        await using var memory = new AppendLog(new InMemoryObjectStore(), "events");
        Assert.Empty((await memory.VerifyAsync()).StaleStagedFiles);
    }

    private static string Staged(string staging, string name, DateTime lastWrite)
    {
        Directory.CreateDirectory(staging);
        string path = Path.Combine(staging, name + ".tmp");
        File.WriteAllText(path, "half a batch");
        File.SetLastWriteTimeUtc(path, lastWrite);
        return path;
    }
}
