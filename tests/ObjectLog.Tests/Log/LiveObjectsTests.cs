using System.Text;
using Microsoft.Extensions.Time.Testing;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary><see cref="AppendLog.ListLiveObjectsAsync"/>: exactly the bytes a reader reads, for tools that read the store directly.</summary>
public sealed class LiveObjectsTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemoryObjectStore _store;

    public LiveObjectsTests() => _store = new InMemoryObjectStore(_clock);

    private AppendLogOptions Options(TimeSpan? supersededGrace = null) => new()
    {
        FlushThreshold = 1,
        FlushInterval = Timeout.InfiniteTimeSpan,
        Compression = LogCompression.None, // the listed byte ranges and sizes are of plain JSON Lines
        TimeProvider = _clock,
        SupersededGracePeriod = supersededGrace ?? TimeSpan.Zero,
    };

    [Fact]
    public async Task Batch_objects_are_listed_whole_in_log_order_with_their_sizes()
    {
        await using var log = new AppendLog(_store, "plain", Options());
        await log.AppendAsync(E("a"));
        await log.AppendAsync(E("bb"));

        IReadOnlyList<LiveObject> live = await log.ListLiveObjectsAsync();

        List<ObjectMeta> stored = await _store.ListSortedAsync("plain/");
        Assert.Equal(stored.Select(o => o.Key), live.Select(o => o.Key));
        Assert.All(live, o => Assert.Null(o.Range));
        Assert.All(live, o => Assert.Null(o.Events)); // a batch object's count is known only by reading it
        Assert.Equal([2L, 3L], live.Select(o => o.Bytes));
        await AssertSameEventsAsync(log, live);
    }

    [Fact]
    public async Task During_the_superseded_grace_period_only_the_merged_object_is_listed()
    {
        await using var log = new AppendLog(_store, "grace", Options(TimeSpan.FromMinutes(5)));
        await log.AppendAsync(E("a"));
        await log.AppendAsync(E("b"));
        CompactionStats stats = await log.CompactAsync();

        IReadOnlyList<LiveObject> live = await log.ListLiveObjectsAsync();

        Assert.Equal(5, (await _store.ListSortedAsync("grace/")).Count); // the originals are still stored
        LiveObject merged = Assert.Single(live);
        Assert.Equal(stats.NewKey, merged.Key);
        Assert.Null(merged.Range);
        Assert.Equal(2, merged.Events);
        await AssertSameEventsAsync(log, live);
    }

    [Fact]
    public async Task Merged_data_of_a_compaction_that_crashed_before_its_manifest_is_not_listed()
    {
        var faulty = new FaultInjectingObjectStore(_store);
        await using var log = new AppendLog(faulty, "crash", Options());
        await log.AppendAsync(E("a"));
        await log.AppendAsync(E("b"));
        await faulty.CrashCompactionBeforeCommitAsync(log);

        IReadOnlyList<LiveObject> live = await log.ListLiveObjectsAsync();

        Assert.Contains((await _store.ListSortedAsync("crash/")).Select(o => o.Key), k => k.Contains('~', StringComparison.Ordinal) && k.EndsWith(".jsonl", StringComparison.Ordinal));
        Assert.Equal(2, live.Count);
        Assert.All(live, o => Assert.DoesNotContain("~", o.Key, StringComparison.Ordinal));
        await AssertSameEventsAsync(log, live);
    }

    [Fact]
    public async Task A_merged_object_that_straddles_a_trim_is_listed_with_the_range_of_its_live_batches()
    {
        await using var log = new AppendLog(_store, "trim", Options());
        DateTimeOffset start = _clock.GetUtcNow();
        foreach (string e in new[] { "old", "kept1", "kept2" })
        {
            await log.AppendAsync(E(e));
            _clock.Advance(TimeSpan.FromSeconds(10));
        }

        CompactionStats stats = await log.CompactAsync();
        await log.TrimAsync(start + TimeSpan.FromSeconds(5));

        IReadOnlyList<LiveObject> live = await log.ListLiveObjectsAsync();

        LiveObject merged = Assert.Single(live);
        Assert.Equal(stats.NewKey, merged.Key);
        Assert.Equal(new ByteRange(4, 12), merged.Range); // "old\n" is trimmed
        Assert.Equal(2, merged.Events);
        Assert.Equal(12, merged.Bytes);
        await AssertSameEventsAsync(log, live);
    }

    [Fact]
    public async Task A_merged_object_read_around_a_late_batch_is_listed_once_and_whole()
    {
        await using var early = new AppendLog(_store, "late", Options());
        await early.AppendAsync(E("t0"));
        _clock.Advance(TimeSpan.FromSeconds(10));
        await early.AppendAsync(E("t10"));
        CompactionStats stats = await early.CompactAsync();
        var lateClock = new FakeTimeProvider(_clock.GetUtcNow() - TimeSpan.FromSeconds(5));
        await using (var late = new AppendLog(_store, "late", new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = lateClock, StoreTimeProvider = _clock, Compression = LogCompression.None }))
        {
            await late.AppendAsync(E("t5"));
        }

        IReadOnlyList<LiveObject> live = await early.ListLiveObjectsAsync();

        Assert.Equal(2, live.Count);
        LiveObject merged = Assert.Single(live, o => o.Key == stats.NewKey);
        Assert.Null(merged.Range); // read as two parts around t5, which together are all of it
        Assert.Equal(2, merged.Events);
        await AssertSameEventsAsync(early, live);
    }

    [Fact]
    public async Task A_disposed_log_refuses()
    {
        var log = new AppendLog(_store, "disposed", Options());
        await log.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => log.ListLiveObjectsAsync());
    }

    /// <summary>Reading the listed bytes directly, as an outside tool would, gives each of the log's events once.</summary>
    private async Task AssertSameEventsAsync(AppendLog log, IReadOnlyList<LiveObject> live)
    {
        var direct = new List<string>();
        foreach (LiveObject o in live)
        {
            byte[] bytes = await _store.GetBytesAsync(o.Key, o.Range);
            Assert.Equal(o.Bytes, bytes.Length);
            string[] lines = Encoding.UTF8.GetString(bytes).TrimEnd('\n').Split('\n');
            if (o.Events is { } n)
            {
                Assert.Equal(n, lines.Length);
            }

            direct.AddRange(lines);
        }

        string[] read = Texts(await log.ReadAllAsync());
        Assert.Equal(read.Order(StringComparer.Ordinal), direct.Order(StringComparer.Ordinal));
    }
}
