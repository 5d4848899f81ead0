using Microsoft.Extensions.Time.Testing;
using ObjectLog.Internal;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>Reads from a position and tails list from where they start, and still find merged objects that start earlier.</summary>
public sealed class ListingFromFloorTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Writes <paramref name="batches"/> one-event batches ten seconds apart, from <see cref="Start"/>.</summary>
    private static async Task<FakeTimeProvider> WriteAsync(IObjectStore store, string prefix, int batches)
    {
        var clock = new FakeTimeProvider(Start);
        await using var writer = new AppendLog(store, prefix, new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = clock, StoreTimeProvider = clock });
        for (int i = 0; i < batches; i++)
        {
            await writer.AppendAsync(E($"e{i}"));
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        return clock;
    }

    [Fact]
    public async Task An_idle_tail_lists_only_what_lies_after_its_look_back_floor_each_poll()
    {
        var memory = new InMemoryObjectStore();
        await WriteAsync(memory, "idle", 500);
        var counting = new FaultInjectingObjectStore(memory);
        var options = new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan, TailPollInterval = TimeSpan.FromMilliseconds(5), TailLookBack = TimeSpan.FromMinutes(1) };
        await using var follower = new AppendLog(counting, "idle", options);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int seen = 0;
        var caughtUp = new TaskCompletionSource();
        Task tail = Task.Run(async () =>
        {
            await foreach (LogEvent _ in follower.TailAsync(cancellationToken: cts.Token))
            {
                if (++seen == 500)
                {
                    caughtUp.SetResult();
                }
            }
        });

        await caughtUp.Task.WaitAsync(cts.Token);
        long keys = counting.KeysListed;
        int lists = counting.Lists;
        await PipelinedWriteTests.WaitUntil(() => counting.Lists >= lists + 40);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tail);

        // The look-back floor is the later of a minute before the newest batch (the last six or seven batches, ten
        // seconds apart) and a minute and a half before the store's clock (these batches are older: none).
        // (Each poll is two LISTs here: the store does not list in key order, so trim records get a second look.)
        double keysPerPoll = (counting.KeysListed - keys) / ((counting.Lists - lists) / 2.0);
        Assert.InRange(keysPerPoll, 0, 8);
        Assert.Equal(500, seen);
    }

    [Fact]
    public async Task Reads_and_tails_from_a_position_find_a_merged_object_that_starts_before_it_by_its_end_marker()
    {
        var memory = new InMemoryObjectStore();
        FakeTimeProvider clock = await WriteAsync(memory, "straddle", 300);
        await using (var compactor = new AppendLog(memory, "straddle", Quiet()))
        {
            await compactor.CompactAsync(); // one merged object from the first batch to the last
        }

        var counting = new FaultInjectingObjectStore(memory);
        // A look-back of a microsecond: a tail resuming from a position returns again what lies that far before it.
        await using var reader = new AppendLog(counting, "straddle", new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan, TailPollInterval = TimeSpan.FromMilliseconds(5), TailLookBack = TimeSpan.FromTicks(10) });
        List<LogEvent> all = await ToListAsync(reader.ReadEventsAsync());
        Assert.Equal(300, all.Count);

        long before = counting.KeysListed;
        int ranged = counting.RangedGets;
        Assert.Equal(all.Skip(291).Select(e => e.Position), (await ToListAsync(reader.ReadEventsAsync(all[290].Position))).Select(e => e.Position));
        Assert.Equal(1, counting.KeysListed - before); // only the end marker sorts after the floor
        Assert.Equal(1, counting.RangedGets - ranged); // the last nine batches of the merged object

        // A tail from the same position, with a batch stored after the merge.
        await using (var writer = new AppendLog(memory, "straddle", new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = clock, StoreTimeProvider = clock }))
        {
            await writer.AppendAsync(E("new"));
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tailed = new List<string>();
        await foreach (LogEvent e in reader.TailAsync(all[290].Position, cts.Token))
        {
            tailed.Add(Texts([e.Data])[0]);
            if (tailed.Count == 10)
            {
                break;
            }
        }

        Assert.Equal([.. Enumerable.Range(291, 9).Select(i => $"e{i}"), "new"], tailed);
    }

    [Fact]
    public async Task A_compaction_gives_a_merged_object_from_before_end_markers_its_marker()
    {
        var memory = new InMemoryObjectStore();
        await WriteAsync(memory, "legacy", 20);
        await using var log = new AppendLog(memory, "legacy", Quiet());
        CompactionStats stats = await log.CompactAsync();
        string marker = "legacy/" + LogObjectName.EndMarkerFor(stats.NewKey!["legacy/".Length..]);
        await memory.DeleteAsync(marker); // as a merged object written before end markers existed

        await log.CompactAsync(); // nothing to merge, but it writes the missing marker
        Assert.Equal(marker, (await memory.ListSortedAsync(marker)).Single().Key);
        List<LogEvent> all = await ToListAsync(log.ReadEventsAsync());
        Assert.Equal(all.Skip(11).Select(e => e.Position), (await ToListAsync(log.ReadEventsAsync(all[10].Position))).Select(e => e.Position));
    }
}
