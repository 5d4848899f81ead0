using Microsoft.Extensions.Time.Testing;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

public sealed class AutoCompactionTests
{
    [Fact]
    public async Task The_policy_runs_in_the_background_on_its_interval_and_readers_see_the_same_log()
    {
        var clock = new FakeTimeProvider();
        var store = new InMemoryObjectStore(clock);
        var options = new AppendLogOptions
        {
            FlushThreshold = 1,
            FlushInterval = Timeout.InfiniteTimeSpan,
            TimeProvider = clock,
            AutoCompaction = CompactionPolicy.SizeTiered(fanIn: 4, minObjectBytes: 1024),
            AutoCompactionInterval = TimeSpan.FromMinutes(1),
        };
        await using var log = new AppendLog(store, "auto", options);
        for (int i = 0; i < 4; i++)
        {
            await log.AppendAsync(E($"e{i}"));
        }

        Assert.Equal(4, await log.CountObjectsAsync());
        clock.Advance(TimeSpan.FromSeconds(59));
        await Task.Delay(50);
        Assert.Equal(4, await log.CountObjectsAsync()); // not yet

        clock.Advance(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 200 && await log.CountObjectsAsync() != 1; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, await log.CountObjectsAsync());
        Assert.Equal(["e0", "e1", "e2", "e3"], Texts(await log.ReadAllAsync()));
    }

    [Fact]
    public async Task Retention_trims_in_the_background_without_a_compaction_policy_and_only_once_it_falls_behind()
    {
        var clock = new FakeTimeProvider();
        var store = new InMemoryObjectStore(clock);
        var options = new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = clock, Retention = TimeSpan.FromHours(1), AutoCompactionInterval = TimeSpan.FromMinutes(1) };
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Retention = TimeSpan.Zero);
        await using var log = new AppendLog(store, "retain", options);
        for (int i = 0; i < 90; i++)
        {
            await log.AppendAsync(E($"e{i}"));
            clock.Advance(TimeSpan.FromMinutes(1)); // one a minute; every tick checks retention
            await Task.Delay(2);
        }

        for (int i = 0; i < 200 && (await log.ReadAllAsync()).Count > 61; i++)
        {
            await Task.Delay(10);
        }

        string[] kept = Texts(await log.ReadAllAsync());
        Assert.InRange(kept.Length, 60, 61); // the last hour, give or take 1% of it
        Assert.Equal("e89", kept[^1]);
        int records = (await store.ListSortedAsync("retain/trim_")).Count;
        Assert.InRange(records, 1, 62); // one a tick here (a tick is more than 1% of the retention), and those superseded for an hour are collected
    }

    [Fact]
    public async Task Dispose_stops_a_running_compaction_and_nothing_touches_the_store_afterwards()
    {
        var clock = new FakeTimeProvider();
        var slow = new FaultInjectingObjectStore(new InMemoryObjectStore(clock));
        var options = new AppendLogOptions
        {
            FlushThreshold = 1,
            FlushInterval = Timeout.InfiniteTimeSpan,
            TimeProvider = clock,
            AutoCompaction = CompactionPolicy.All,
            AutoCompactionInterval = TimeSpan.FromSeconds(1),
        };
        var log = new AppendLog(slow, "stop", options);
        for (int i = 0; i < 6; i++)
        {
            await log.AppendAsync(E($"e{i}"));
        }

        slow.Latency = TimeSpan.FromMilliseconds(30);
        int before = slow.Calls;
        clock.Advance(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 200 && slow.Calls == before; i++)
        {
            await Task.Delay(5); // until the background compaction has started
        }

        await log.DisposeAsync();
        int after = slow.Calls;
        clock.Advance(TimeSpan.FromSeconds(5));
        await Task.Delay(150);
        Assert.Equal(after, slow.Calls);

        slow.Latency = TimeSpan.Zero;
        await using var reader = new AppendLog(slow, "stop", Quiet());
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"e{i}"), Texts(await reader.ReadAllAsync()));
    }

    [Fact]
    public void The_interval_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AppendLogOptions { AutoCompactionInterval = TimeSpan.Zero });
    }
}
