using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Conformance;

/// <summary>What only the folder store's conditional updates promise: they hold between processes, and its lock files stay inside the root.</summary>
public sealed class FileSystemConditionalUpdateTests : IDisposable
{
    private const int Processes = 4;
    private const int IncrementsEach = 60;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Processes_incrementing_one_counter_with_conditional_updates_lose_no_increment()
    {
        string root = Path.Combine(_dir.Path, "store");
        var store = new FileSystemObjectStore(root);
        await store.PutVersionedAsync("counter", Encoding.UTF8.GetBytes("0"), PutMode.Create, null);

        string self = Path.Combine(AppContext.BaseDirectory, "ObjectLog.Tests.dll");
        Task<(int Code, string Output, string Error)>[] workers = Enumerable.Range(0, Processes)
            .Select(id => ChildProcess.RunDllAsync(self, _dir.Path, [FolderCounterWorker.Name, root, "counter", IncrementsEach.ToString(CultureInfo.InvariantCulture), id.ToString(CultureInfo.InvariantCulture)]))
            .ToArray();
        using (var starting = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            while (Enumerable.Range(0, Processes).Any(id => !File.Exists(Path.Combine(root, $"ready-{id}"))) && !workers.Any(w => w.IsCompleted))
            {
                await Task.Delay(5, starting.Token);
            }
        }

        File.WriteAllText(Path.Combine(root, "go"), "");
        (int Code, string Output, string Error)[] done = await Task.WhenAll(workers);

        Assert.All(done, d => Assert.True(d.Code == 0, $"a worker exited {d.Code}: {d.Output}{d.Error}"));
        VersionedObject counter = await store.GetVersionedAsync("counter");
        Assert.Equal((Processes * IncrementsEach).ToString(CultureInfo.InvariantCulture), Encoding.UTF8.GetString(counter.Content.Span));

        // The workers did race: some updates found the counter changed and were retried (else this proved nothing).
        int conflicts = done.Sum(d => int.Parse(d.Output.Trim(), CultureInfo.InvariantCulture));
        Assert.True(conflicts > 0, "no update ever lost a race: the workers did not run at once");
    }

    [Fact]
    public async Task A_lock_file_that_is_a_symbolic_link_is_refused_not_followed()
    {
        string outside = Path.Combine(_dir.Path, "outside");
        File.WriteAllText(outside, "not the store's");
        var store = new FileSystemObjectStore(Path.Combine(_dir.Path, "store"));
        string version = await store.PutVersionedAsync("k", Encoding.UTF8.GetBytes("1"), PutMode.Create, null);
        string lockFile = Path.Combine(store.RootDirectory, FileSystemObjectStore.StagingFolderName, FileSystemObjectStore.LockFileName("k"));
        File.Delete(lockFile);
        File.CreateSymbolicLink(lockFile, outside);

        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutVersionedAsync("k", Encoding.UTF8.GetBytes("2"), PutMode.Update, version));
        Assert.Contains("lock", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("not the store's", File.ReadAllText(outside));
        Assert.Equal("1", Encoding.UTF8.GetString((await store.GetVersionedAsync("k")).Content.Span));
    }

    [Fact]
    public async Task Lock_files_are_not_staged_files_the_sweep_removes_and_are_never_listed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new FileSystemObjectStore(_dir.Path, clock);
        await store.PutVersionedAsync("k", Encoding.UTF8.GetBytes("1"), PutMode.Create, null);
        string lockFile = Path.Combine(_dir.Path, FileSystemObjectStore.StagingFolderName, FileSystemObjectStore.LockFileName("k"));
        Assert.True(File.Exists(lockFile));

        // Removing a lock file another writer waits on would let two writers hold the lock: however old, it stays.
        clock.Advance(FileSystemObjectStore.StaleStagedFileAge * 2);
        Assert.Empty(store.FindStaleStagedFiles());
        Assert.Equal(0, store.RemoveStaleStagedFiles());
        Assert.True(File.Exists(lockFile));
        Assert.Equal(["k"], (await store.ListSortedAsync("")).Select(m => m.Key));
    }
}
