using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

public sealed class SizeTieredCompactionTests
{
    [Fact]
    public async Task Compacting_after_every_flush_rewrites_each_byte_O_log_N_times_and_keeps_few_objects()
    {
        const int batches = 256;
        const int fanIn = 4;
        var counting = new FaultInjectingObjectStore(new InMemoryObjectStore());
        await using var log = new AppendLog(counting, "tiered", Quiet(threshold: 8));
        CompactionPolicy policy = CompactionPolicy.SizeTiered(fanIn, minObjectBytes: 8 * 80);
        var expected = new List<string>();
        long logBytes = 0;
        int maxObjects = 0;
        long compactionBytes = 0;
        for (int b = 0; b < batches; b++)
        {
            for (int i = 0; i < 8; i++)
            {
                string e = Json(b, i).PadRight(79, ' '); // 80 bytes with its newline
                expected.Add(e);
                logBytes += 80;
                await log.AppendAsync(E(e));
            }

            long before = counting.BytesPut;
            await log.CompactAsync(policy);
            compactionBytes += counting.BytesPut - before;
            maxObjects = Math.Max(maxObjects, await log.CountObjectsAsync());
        }

        Assert.Equal(expected, Texts(await log.ReadAllAsync()));

        // log4(256) = 4 tiers above the first: each byte is rewritten at most about that many times (manifests add a little).
        double rewrites = (double)compactionBytes / logBytes;
        Assert.InRange(rewrites, 1, 5.5);
        Assert.True(maxObjects <= fanIn * 5, $"object count reached {maxObjects}");

        // The same log compacted in full after every flush rewrites O(N) times.
        var fullCounting = new FaultInjectingObjectStore(new InMemoryObjectStore());
        await using var full = new AppendLog(fullCounting, "full", Quiet(threshold: 8));
        long fullBytes = 0;
        for (int b = 0; b < batches; b++)
        {
            for (int i = 0; i < 8; i++)
            {
                await full.AppendAsync(E(Json(b, i).PadRight(79, ' ')));
            }

            long before = fullCounting.BytesPut;
            await full.CompactAsync();
            fullBytes += fullCounting.BytesPut - before;
        }

        Assert.True(fullBytes > 20 * compactionBytes, $"full: {fullBytes} bytes, tiered: {compactionBytes}");
    }

    [Fact]
    public async Task With_no_full_tier_nothing_is_merged()
    {
        var store = new InMemoryObjectStore();
        await using var log = new AppendLog(store, "quiet", Quiet(threshold: 1));
        for (int i = 0; i < 3; i++)
        {
            await log.AppendAsync(E($"e{i}"));
        }

        CompactionStats stats = await log.CompactAsync(CompactionPolicy.SizeTiered(fanIn: 4));
        Assert.Equal(new CompactionStats(3, 0, null), stats);
        await log.AppendAsync(E("e3"));
        stats = await log.CompactAsync(CompactionPolicy.SizeTiered(fanIn: 4));
        Assert.Equal(4, stats.MergedObjects);
        Assert.Equal(["e0", "e1", "e2", "e3"], Texts(await log.ReadAllAsync()));
    }

    [Theory]
    [InlineData(1, 1024)]
    [InlineData(4, 0)]
    public void Bad_policy_settings_are_refused(int fanIn, long minBytes)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CompactionPolicy.SizeTiered(fanIn, minBytes));
    }

    [Fact]
    public async Task A_compaction_that_merges_nothing_still_reports_what_it_deleted()
    {
        var store = new InMemoryObjectStore();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, SupersededGracePeriod = TimeSpan.FromHours(1), TimeProvider = clock, StoreTimeProvider = clock };
        await using var log = new AppendLog(store, "graced", options);
        for (int i = 0; i < 5; i++)
        {
            await log.AppendAsync(E(Json(0, i)));
        }

        CompactionStats merged = await log.CompactAsync();
        Assert.NotNull(merged.NewKey);
        Assert.Equal(0, merged.DeletedObjects); // the originals wait out the grace period

        clock.Advance(TimeSpan.FromHours(2));
        CompactionStats after = await log.CompactAsync();
        Assert.Null(after.NewKey); // one object: nothing to merge
        Assert.Equal(5, after.DeletedObjects); // but the five superseded batches went
        Assert.Equal(5, (await log.ReadAllAsync()).Count);
    }
}
