using ObjectLog.Storage;
using ObjectLog.Tests.Log;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Conformance;

/// <summary>What only the filesystem store promises: atomic publication, nothing outside the root.</summary>
public sealed class FileSystemStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Key_a_b_c_is_the_file_root_a_b_c()
    {
        var store = new FileSystemObjectStore(_dir.Path);
        await store.PutAsync("a/b/c", E("x"));
        Assert.Equal("x", File.ReadAllText(Path.Combine(_dir.Path, "a", "b", "c")));
    }

    [Fact]
    public async Task A_staged_write_that_never_published_is_neither_listed_nor_readable()
    {
        var store = new FileSystemObjectStore(_dir.Path);
        await store.PutAsync("log/batch_0001700000000000001.jsonl", E("a\n"));

        // What a crash in the middle of a put leaves behind: a partial file in the staging folder.
        string staging = Path.Combine(_dir.Path, FileSystemObjectStore.StagingFolderName);
        File.WriteAllText(Path.Combine(staging, "deadbeef.tmp"), "{\"partial");

        Assert.Equal(["log/batch_0001700000000000001.jsonl"], (await store.ListSortedAsync("")).Select(m => m.Key));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync($"{FileSystemObjectStore.StagingFolderName}/deadbeef.tmp"));
        await using var log = new AppendLog(store, "log", Quiet());
        Assert.Equal(["a"], Texts(await log.ReadAllAsync()));
    }

    [Fact]
    public async Task A_put_that_fails_midway_leaves_no_object_and_no_staged_file()
    {
        var store = new FileSystemObjectStore(_dir.Path);
        await Assert.ThrowsAnyAsync<IOException>(() => store.PutAsync("k", new FailingStream(1), PutMode.Create));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.GetAsync("k"));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, FileSystemObjectStore.StagingFolderName)));
    }

    [Fact]
    public async Task Concurrent_puts_into_one_directory_all_land_and_leave_no_staged_files()
    {
        var store = new FileSystemObjectStore(_dir.Path);
        var tasks = Enumerable.Range(0, 64).Select(i => store.PutAsync($"d/k{i}", E($"v{i}"), PutMode.Create)).ToList();
        var racing = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await store.PutAsync("d/same", E($"w{i}"), PutMode.Create);
                return true;
            }
            catch (ObjectAlreadyExistsException)
            {
                return false;
            }
        })).ToList();
        await Task.WhenAll(tasks);
        Assert.Single(await Task.WhenAll(racing), won => won);
        for (int i = 0; i < 64; i++)
        {
            Assert.Equal($"v{i}", System.Text.Encoding.UTF8.GetString(await store.GetBytesAsync($"d/k{i}")));
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, FileSystemObjectStore.StagingFolderName)));
    }

    [Fact]
    public async Task Writers_with_their_own_store_instances_share_one_directory()
    {
        const int writers = 4;
        const int perWriter = 80;
        await Parallel.ForEachAsync(Enumerable.Range(0, writers), new ParallelOptions { MaxDegreeOfParallelism = writers }, async (w, ct) =>
        {
            await using var log = new AppendLog(new FileSystemObjectStore(_dir.Path), "shared", Quiet(threshold: 5));
            for (int i = 0; i < perWriter; i++)
            {
                await log.AppendAsync(E(Json(w, i)), ct);
            }
        });

        await using var reader = new AppendLog(new FileSystemObjectStore(_dir.Path), "shared", Quiet());
        AppendLogAcceptanceTests.AssertEveryWriterComplete(Texts(await reader.ReadAllAsync()), writers, perWriter);
    }
}
