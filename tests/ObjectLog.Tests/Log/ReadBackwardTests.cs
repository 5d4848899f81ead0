using ObjectLog.Internal;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>
/// <see cref="AppendLog.ReadEventsBackwardAsync"/>: a range read newest first, the exact reverse of the forward read,
/// whose cost follows what the caller reads before it stops, not the range's size.
/// (<see cref="AppendLogModel"/> checks it against the model under faults, compactions and trims.)
/// </summary>
public sealed class ReadBackwardTests
{
    private readonly InMemoryObjectStore _memory = new();

    [Theory]
    [InlineData(LogCompression.None)]
    [InlineData(LogCompression.Zstd)]
    public async Task A_range_read_backwards_is_the_forward_read_reversed_across_batches_and_merged_objects(LogCompression compression)
    {
        AppendLogOptions options = Quiet(threshold: 7);
        options.Compression = compression;
        options.SupersededGracePeriod = TimeSpan.Zero;
        await using var log = new AppendLog(_memory, "mixed", options);
        for (int i = 0; i < 300; i++)
        {
            await log.AppendAsync(E($"event {i}"));
            if (i == 150)
            {
                await log.FlushAsync();
                await log.CompactAsync(); // the older half merged, the rest in batch objects
            }
        }

        await log.FlushAsync();
        List<LogEvent> forward = await ToListAsync(log.ReadEventsAsync(DateTimeOffset.UnixEpoch));
        List<LogEvent> backward = await ToListAsync(log.ReadEventsBackwardAsync(DateTimeOffset.UnixEpoch));
        Assert.Equal(300, forward.Count);
        Assert.Equal(forward.Select(e => e.Position).Reverse(), backward.Select(e => e.Position));
        Assert.Equal(Texts(forward.Select(e => e.Data)).Reverse(), Texts(backward.Select(e => e.Data)));

        // Paging: after each event, the rest of the reverse read, whatever the event's place in its batch or object.
        foreach (int at in new[] { 0, 1, 6, 7, 100, 149, 150, 151, 298 })
        {
            List<LogEvent> rest = await ToListAsync(log.ReadEventsBackwardAsync(DateTimeOffset.UnixEpoch, before: backward[at].Position));
            Assert.Equal(backward.Skip(at + 1).Select(e => e.Position), rest.Select(e => e.Position));
        }

        // A time range: the batches whose time is in it, as the forward read gives them.
        DateTimeOffset from = forward[40].Position.BatchTime, until = forward[260].Position.BatchTime;
        List<LogEvent> window = await ToListAsync(log.ReadEventsAsync(from, until));
        Assert.Equal(window.Select(e => e.Position).Reverse(), (await ToListAsync(log.ReadEventsBackwardAsync(from, until))).Select(e => e.Position));
        Assert.Throws<ArgumentException>(() => log.ReadEventsBackwardAsync(until, from));
    }

    [Fact]
    public async Task A_page_of_the_newest_events_of_a_long_log_costs_one_listing_and_a_round_of_gets()
    {
        long start = LogObjectName.Microseconds(DateTimeOffset.UtcNow - TimeSpan.FromDays(1));
        for (int i = 0; i < 5_000; i++)
        {
            await _memory.PutAsync($"long/{LogObjectName.Batch(start + (i * 1_000L), writerId: 7, sequence: i)}", E($"event {i}\n"));
        }

        var counting = new FaultInjectingObjectStore(_memory);
        await using var log = new AppendLog(counting, "long", Quiet());
        var page = new List<string>();
        await foreach (LogEvent e in log.ReadEventsBackwardAsync(DateTimeOffset.UnixEpoch))
        {
            page.Add(Texts([e.Data])[0]);
            if (page.Count == 100)
            {
                break;
            }
        }

        Assert.Equal(Enumerable.Range(4_900, 100).Reverse().Select(i => $"event {i}"), page);
        // Rounds of 8, 32 and 64 objects of one event each (at most ReadConcurrency, 64): 104 GETs for 100 events.
        Assert.Equal(8 + 32 + 64, counting.Gets);
        Assert.Equal(2, counting.Lists); // the log from the floor (five pages), and its trim records
    }

    [Fact]
    public async Task A_merged_object_read_backwards_is_read_by_byte_ranges_a_round_at_a_time()
    {
        AppendLogOptions options = Plain(threshold: 10);
        options.SupersededGracePeriod = TimeSpan.Zero;
        await using (var writer = new AppendLog(_memory, "merged", options))
        {
            for (int i = 0; i < 20_000; i++)
            {
                await writer.AppendAsync(E($"event {i:D6}"));
            }

            await writer.FlushAsync();
            await writer.CompactAsync();
        }

        using var metrics = new MetricTotals("merged/");
        await using var log = new AppendLog(_memory, "merged", Quiet());
        int read = 0;
        await foreach (LogEvent e in log.ReadEventsBackwardAsync(DateTimeOffset.UnixEpoch))
        {
            if (++read == 100)
            {
                break;
            }
        }

        // The first round wants 256 events: 26 batches of the object's 2,000, and its manifest, not 240 KB of data.
        double bytes = metrics["objectlog.request.bytes", "get"];
        Assert.InRange(bytes, 26 * 10 * 12, 60_000);
    }

    [Fact]
    public async Task An_object_collected_under_a_backward_read_is_found_again_and_nothing_repeats()
    {
        AppendLogOptions options = Plain(threshold: 5);
        options.SupersededGracePeriod = TimeSpan.Zero;
        await using var writer = new AppendLog(_memory, "moving", options);
        for (int i = 0; i < 400; i++)
        {
            await writer.AppendAsync(E($"event {i}"));
        }

        await writer.FlushAsync();
        List<LogEvent> expected = await ToListAsync(writer.ReadEventsBackwardAsync(DateTimeOffset.UnixEpoch));

        var store = new FaultInjectingObjectStore(_memory);
        await using var reader = new AppendLog(store, "moving", Quiet());
        var read = new List<LogEvent>();
        await foreach (LogEvent e in reader.ReadEventsBackwardAsync(DateTimeOffset.UnixEpoch))
        {
            read.Add(e);
            if (read.Count == 300)
            {
                // Between rounds: every batch object still unread is merged and deleted.
                CompactionStats stats = await writer.CompactAsync();
                Assert.True(stats.DeletedObjects > 0);
            }
        }

        Assert.Equal(expected.Select(e => e.Position), read.Select(e => e.Position));
    }
}
