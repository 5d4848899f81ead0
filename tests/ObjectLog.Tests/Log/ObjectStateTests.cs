using Microsoft.Extensions.Time.Testing;
using ObjectLog.Internal;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>
/// Live, superseded, uncommitted and garbage objects told apart (one census, as verify, ls and stats use it); a lone
/// end marker left by a compaction killed while deleting is collected by the next compaction and reported by verify;
/// a trim reports what it hides as well as what it deletes.
/// </summary>
public sealed class ObjectStateTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task After_a_compaction_killed_before_its_deletes_superseded_batches_are_not_counted_as_live()
    {
        var store = new FaultInjectingObjectStore(new InMemoryObjectStore());
        await using var log = new AppendLog(store, "s", Quiet(threshold: 1));
        for (int i = 0; i < 5; i++)
        {
            await log.AppendAsync(E($"e{i}"));
        }

        await log.FlushAsync();
        store.FailWhen((call, _) => call == StoreCall.Delete ? Fault.FailBefore : null); // killed after its commit
        CompactionStats stats = await log.CompactAsync();
        store.FailWhen(null);
        Assert.Equal(5, stats.DeleteFailures.Count);
        await log.AppendAsync(E("late"));
        await log.FlushAsync();

        VerifyReport report = await log.VerifyAsync();

        Assert.Equal(2, report.LiveObjects); // the merged object and the late batch
        Assert.Equal(5, report.SupersededObjects);
        Assert.Equal(0, report.UncommittedMerges);
        Assert.Equal(0, report.GarbageObjects);
        Assert.Equal(6, report.BatchObjects); // every batch object is still checked
        Assert.True(report.IsSound, string.Join("; ", report.Problems));

        IReadOnlyList<StoredObject> stored = await log.ListStoredObjectsAsync();
        Assert.Equal(2, stored.Count(o => o.State == StoredObjectState.Live && o.Kind is StoredObjectKind.Batch or StoredObjectKind.Merged));
        Assert.Equal(4, stored.Count(o => o.State == StoredObjectState.Live)); // with the merged object's manifest and end marker
        Assert.Equal(5, stored.Count(o => o.State == StoredObjectState.Superseded));
        Assert.Equal(9, stored.Count);
        Assert.All(stored.Where(o => o.Kind == StoredObjectKind.Batch).SkipLast(1), o => Assert.Equal(StoredObjectState.Superseded, o.State));
    }

    [Fact]
    public async Task Uncommitted_merged_data_is_uncommitted_within_the_grace_and_garbage_after_it()
    {
        var clock = new FakeTimeProvider(Start);
        var store = new FaultInjectingObjectStore(new InMemoryObjectStore(clock));
        var options = new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = clock, StoreTimeProvider = clock };
        await using var log = new AppendLog(store, "u", options);
        await log.AppendAsync(E("a"));
        await log.AppendAsync(E("b"));
        await log.FlushAsync();
        await store.CrashCompactionBeforeCommitAsync(log); // its data and end marker, no manifest

        VerifyReport young = await log.VerifyAsync();
        Assert.Equal((2, 0, 1, 0), (young.LiveObjects, young.SupersededObjects, young.UncommittedMerges, young.GarbageObjects));

        clock.Advance(TimeSpan.FromHours(2));
        await using var later = new AppendLog(store, "u", options);
        VerifyReport old = await later.VerifyAsync();
        Assert.Equal((2, 0, 0, 2), (old.LiveObjects, old.SupersededObjects, old.UncommittedMerges, old.GarbageObjects)); // the data and its marker
    }

    [Fact]
    public async Task A_lone_end_marker_left_by_a_compaction_killed_while_deleting_is_reported_and_collected()
    {
        var store = new FaultInjectingObjectStore(new InMemoryObjectStore());
        await using var log = new AppendLog(store, "m", Quiet(threshold: 1));
        await log.AppendAsync(E("a"));
        await log.AppendAsync(E("b"));
        await log.FlushAsync();
        string first = (await log.CompactAsync()).NewKey!;
        await log.AppendAsync(E("c"));
        await log.FlushAsync();

        // The second compaction supersedes the first merged object and is killed after deleting its data and manifest.
        store.FailWhen((call, key) => call == StoreCall.Delete && key.EndsWith(".end.json", StringComparison.Ordinal) ? Fault.FailBefore : null);
        await log.CompactAsync();
        store.FailWhen(null);
        string marker = "m/" + LogObjectName.EndMarkerFor(first["m/".Length..]);
        Assert.True(await ExistsAsync(store.Inner, marker), "the lone marker is left");
        Assert.False(await ExistsAsync(store.Inner, first));

        VerifyReport report = await log.VerifyAsync();
        VerifyProblem problem = Assert.Single(report.Problems);
        Assert.Equal(marker, problem.Key);
        Assert.Contains("end marker", problem.Message, StringComparison.Ordinal);
        Assert.Equal(1, report.GarbageObjects);
        Assert.Equal(["a", "b", "c"], Texts(await log.ReadAllAsync()));

        CompactionStats collected = await log.CompactAsync();
        Assert.Equal(1, collected.DeletedObjects);
        Assert.False(await ExistsAsync(store.Inner, marker));
        Assert.True((await log.VerifyAsync()).IsSound);
        Assert.Equal(["a", "b", "c"], Texts(await log.ReadAllAsync()));
    }

    [Fact]
    public async Task A_young_end_marker_whose_data_exists_is_never_collected()
    {
        // A compaction between its end marker and its manifest: its data exists, so the marker is not lone.
        var store = new FaultInjectingObjectStore(new InMemoryObjectStore());
        await using var log = new AppendLog(store, "y", Quiet(threshold: 1));
        await log.AppendAsync(E("a"));
        await log.AppendAsync(E("b"));
        await log.FlushAsync();
        await store.CrashCompactionBeforeCommitAsync(log);
        List<ObjectMeta> before = await store.Inner.ListSortedAsync("y/");

        await log.CompactAsync(CompactionPolicy.Nothing);

        Assert.Equal(before.Select(m => m.Key), (await store.Inner.ListSortedAsync("y/")).Select(m => m.Key));
    }

    [Fact]
    public async Task A_trim_inside_a_merged_object_reports_the_events_it_hid_though_it_deleted_nothing()
    {
        var clock = new FakeTimeProvider(Start);
        var store = new InMemoryObjectStore(clock);
        var options = new AppendLogOptions { FlushThreshold = 4, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = clock, StoreTimeProvider = clock };
        await using var log = new AppendLog(store, "t", options);
        for (int i = 0; i < 16; i++)
        {
            await log.AppendAsync(E($"e{i}"));
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        await log.FlushAsync();
        await log.CompactAsync(); // one merged object of 4 batches of 4 events, 40 s apart
        clock.Advance(TimeSpan.FromSeconds(1));

        TrimStats stats = await log.TrimAsync(Start.AddSeconds(115)); // before the batches of 0 s, 40 s and 80 s

        Assert.Equal(3, stats.HiddenBatches);
        Assert.Equal(12, stats.HiddenEvents);
        Assert.Equal(0, stats.DeletedObjects);
        Assert.Equal(["e12", "e13", "e14", "e15"], Texts(await log.ReadAllAsync()));

        TrimStats again = await log.TrimAsync(Start.AddSeconds(115));
        Assert.Equal((0, 0L), (again.HiddenBatches, again.HiddenEvents)); // hidden already
    }

    [Fact]
    public async Task A_trim_of_batch_objects_reports_their_events_and_the_objects_it_deleted()
    {
        var clock = new FakeTimeProvider(Start);
        var store = new InMemoryObjectStore(clock);
        var options = new AppendLogOptions { FlushThreshold = 2, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = clock, StoreTimeProvider = clock };
        await using var log = new AppendLog(store, "b", options);
        for (int i = 0; i < 6; i++)
        {
            await log.AppendAsync(E($"e{i}"));
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        await log.FlushAsync();
        clock.Advance(TimeSpan.FromSeconds(1));

        TrimStats stats = await log.TrimAsync(Start.AddSeconds(35)); // the batches of 0 s and 20 s

        Assert.Equal((2, 4L, 2), (stats.HiddenBatches, stats.HiddenEvents, stats.DeletedObjects));
        Assert.Equal(["e4", "e5"], Texts(await log.ReadAllAsync()));
    }

    private static async Task<bool> ExistsAsync(IObjectStore store, string key)
        => (await store.ListSortedAsync(key[..(key.IndexOf('/') + 1)])).Any(m => m.Key == key);
}
