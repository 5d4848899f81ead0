using Microsoft.Extensions.Time.Testing;
using ObjectLog.Internal;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using ObjectLog.Tests.Typed;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary><see cref="AppendLog.ReadLastAsync(int, CancellationToken)"/>: the end of a full read, at a cost that follows the events asked for.</summary>
public sealed class ReadLastTests
{
    private readonly InMemoryObjectStore _memory = new();

    [Fact]
    public async Task The_last_10_of_10_000_batch_objects_cost_10_gets_and_are_the_end_of_a_full_read()
    {
        long start = LogObjectName.Microseconds(DateTimeOffset.UtcNow - TimeSpan.FromDays(1));
        for (int i = 0; i < 10_000; i++)
        {
            await _memory.PutAsync($"big/{LogObjectName.Batch(start + (i * 1_000L), writerId: 7, sequence: i)}", E($"event {i}\n"));
        }

        var counting = new FaultInjectingObjectStore(_memory);
        await using var log = new AppendLog(counting, "big", Quiet());
        IReadOnlyList<LogEvent> last = await log.ReadLastAsync(10);
        Assert.Equal(10, counting.Gets);
        Assert.Equal(Enumerable.Range(9_990, 10).Select(i => $"event {i}"), Texts(last.Select(e => e.Data)));

        int before = counting.Gets;
        Assert.Equal(["event 9999"], Texts((await log.ReadLastAsync(1)).Select(e => e.Data)));
        Assert.Equal(1, counting.Gets - before);

        List<LogEvent> all = await ToListAsync(log.ReadEventsAsync());
        Assert.Equal(all.TakeLast(10).Select(e => e.Position), last.Select(e => e.Position));
    }

    [Theory]
    [InlineData(LogCompression.None)]
    [InlineData(LogCompression.Zstd)] // the same requests: a compressed merged object's manifest is fetched only to read it
    public async Task The_last_events_of_a_merged_object_are_read_by_range_after_its_manifest(LogCompression compression)
    {
        AppendLogOptions options = Plain(threshold: 1);
        options.Compression = compression;
        options.SupersededGracePeriod = TimeSpan.Zero;
        await using (var writer = new AppendLog(_memory, "merged", options))
        {
            for (int i = 0; i < 500; i++)
            {
                await writer.AppendAsync(E($"event {i}"));
            }

            await writer.CompactAsync();
            for (int i = 500; i < 503; i++)
            {
                await writer.AppendAsync(E($"event {i}"));
            }
        }

        var counting = new FaultInjectingObjectStore(_memory);
        await using var log = new AppendLog(counting, "merged", Quiet());
        Assert.Equal(4, await log.CountObjectsAsync()); // one merged object, three batches after it
        int before = counting.Gets;
        IReadOnlyList<LogEvent> last = await log.ReadLastAsync(10);
        Assert.Equal(5, counting.Gets - before); // three batches, the manifest, and one range of seven batches
        Assert.Equal(1, counting.RangedGets);
        Assert.Equal(Enumerable.Range(493, 10).Select(i => $"event {i}"), Texts(last.Select(e => e.Data)));
        Assert.Equal((await ToListAsync(log.ReadEventsAsync())).TakeLast(10), last, LogEventComparer.Instance);
    }

    [Theory]
    [InlineData(1, 10, 12)] // one event a batch: the 13th newest is damaged
    [InlineData(5, 3, 2)] // five a batch: the damaged one is among those fetched ahead, and not needed
    public async Task A_damaged_object_older_than_the_events_asked_for_does_not_fail_it(int perBatch, int count, int damagedFromEnd)
    {
        await using (var writer = new AppendLog(_memory, "damaged", Quiet(threshold: perBatch)))
        {
            for (int i = 0; i < 20 * perBatch; i++)
            {
                await writer.AppendAsync(E($"event {i}"));
            }
        }

        List<ObjectMeta> objects = await _memory.ListSortedAsync("damaged/");
        string key = objects[^(damagedFromEnd + 1)].Key;
        byte[] body = await _memory.GetBytesAsync(key);
        body[0] = (byte)'E'; // the checksum in its name no longer matches
        await _memory.PutAsync(key, body);

        await using var log = new AppendLog(_memory, "damaged", Quiet());
        Assert.Equal(key, (await Assert.ThrowsAsync<CorruptObjectException>(() => log.ReadAllAsync())).Key);
        IReadOnlyList<LogEvent> last = await log.ReadLastAsync(count);
        Assert.Equal(Enumerable.Range((20 * perBatch) - count, count).Select(i => $"event {i}"), Texts(last.Select(e => e.Data)));

        // Asked for events the damaged object holds, it names it.
        Assert.Equal(key, (await Assert.ThrowsAsync<CorruptObjectException>(() => log.ReadLastAsync((damagedFromEnd + 1) * perBatch))).Key);
    }

    [Fact]
    public async Task A_compaction_that_deletes_what_was_listed_before_the_first_get_makes_it_list_again()
    {
        AppendLogOptions options = Quiet(threshold: 1);
        options.SupersededGracePeriod = TimeSpan.Zero;
        await using var compactor = new AppendLog(_memory, "racing", options);
        for (int i = 0; i < 20; i++)
        {
            await compactor.AppendAsync(E($"event {i}"));
        }

        var racing = new FaultInjectingObjectStore(_memory);
        racing.BeforeNextCall((call, _) => call == StoreCall.Get, async () => await compactor.CompactAsync());
        await using var log = new AppendLog(racing, "racing", Quiet());
        IReadOnlyList<LogEvent> last = await log.ReadLastAsync(5);
        Assert.Equal(Enumerable.Range(15, 5).Select(i => $"event {i}"), Texts(last.Select(e => e.Data)));
        Assert.Equal(1, await log.CountObjectsAsync()); // it read them from the merged object
    }

    [Fact]
    public async Task Trimmed_batches_are_hidden_and_this_writers_unstored_events_come_last()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new InMemoryObjectStore(clock);
        AppendLogOptions options = Quiet(threshold: 2);
        options.TimeProvider = clock;
        await using var log = new AppendLog(store, "trimmed", options);
        for (int i = 0; i < 10; i++)
        {
            await log.AppendAsync(E($"event {i}"));
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        await log.TrimAsync(clock.GetUtcNow() - TimeSpan.FromSeconds(5)); // events 0 to 5: their batches began before
        await log.AppendAsync(E("unstored"));

        Assert.Equal(["event 6", "event 7", "event 8", "event 9", "unstored"], Texts(await log.ReadAllAsync()));
        Assert.Equal(["event 9", "unstored"], Texts((await log.ReadLastAsync(2)).Select(e => e.Data)));
        IReadOnlyList<LogEvent> all = await log.ReadLastAsync(100);
        Assert.Equal(Texts(await log.ReadAllAsync()), Texts(all.Select(e => e.Data)));
        Assert.Equal(await ToListAsync(log.ReadEventsAsync()), all.Take(4), LogEventComparer.Instance);
        Assert.True(all[^2].Position < all[^1].Position, "the unstored event's position follows the stored ones");
        Assert.Empty(await log.ReadLastAsync(0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => log.ReadLastAsync(-1));
    }

    [Fact]
    public async Task Random_logs_of_several_writers_with_merges_and_trims_end_as_their_full_reads_do()
    {
        for (int seed = 0; seed < 25; seed++)
        {
            var random = new Random(seed);
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var store = new InMemoryObjectStore(clock);
            var writers = new List<AppendLog>();
            for (int w = 0; w < 3; w++)
            {
                AppendLogOptions options = Quiet(threshold: random.Next(1, 5));
                options.TimeProvider = clock;
                options.SupersededGracePeriod = random.Next(2) == 0 ? TimeSpan.Zero : TimeSpan.FromHours(1);
                options.ReadConcurrency = random.Next(1, 4);
                writers.Add(new AppendLog(store, "random", options));
            }

            int appended = 0;
            for (int step = 0; step < 30; step++)
            {
                AppendLog writer = writers[random.Next(writers.Count)];
                switch (random.Next(10))
                {
                    case < 5:
                        for (int i = random.Next(1, 6); i > 0; i--)
                        {
                            await writer.AppendAsync(E($"event {appended++}"));
                        }

                        break;
                    case 5:
                        await writer.FlushAsync();
                        break;
                    case 6:
                        await writer.CompactAsync();
                        break;
                    case 7:
                        await writer.CompactAsync(CompactionPolicy.SizeTiered(fanIn: 2, minObjectBytes: 16));
                        break;
                    case 8:
                        await writer.TrimAsync(clock.GetUtcNow() - TimeSpan.FromSeconds(random.Next(5, 40)));
                        break;
                    default:
                        clock.Advance(TimeSpan.FromSeconds(random.Next(1, 5)));
                        break;
                }

                AppendLog reader = writers[random.Next(writers.Count)];
                string[] full = Texts(await reader.ReadAllAsync());
                int count = random.Next(0, full.Length + 2);
                IReadOnlyList<LogEvent> last = await reader.ReadLastAsync(count);
                Assert.True(full.TakeLast(count).SequenceEqual(Texts(last.Select(e => e.Data))), $"seed {seed}, step {step}: ReadLastAsync({count}) is not the end of [{string.Join(", ", full)}]");
                Assert.True(last.Zip(last.Skip(1)).All(p => p.First.Position < p.Second.Position), $"seed {seed}, step {step}: positions must increase");
            }

            foreach (AppendLog writer in writers)
            {
                await writer.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_read_of_the_last_events_is_one_read_activity_counting_what_it_fetched()
    {
        string prefix = $"traced-{Guid.NewGuid():N}/";
        await using var log = new AppendLog(_memory, prefix, Quiet(threshold: 2));
        for (int i = 0; i < 10; i++)
        {
            await log.AppendAsync(E($"event {i}"));
        }

        using var activities = new ActivityRecorder(prefix);
        Assert.Equal(3, (await log.ReadLastAsync(3)).Count);
        System.Diagnostics.Activity read = activities.Single("objectlog.read");
        Assert.Equal(3, read.GetTagItem("objectlog.objects")); // a batch holds one event or more: three fetched at once for three events
        Assert.Equal(3L, read.GetTagItem("objectlog.events"));
        Assert.Equal(24L, read.GetTagItem("objectlog.bytes"));
    }

    [Fact]
    public async Task The_typed_log_returns_the_last_values_with_their_positions()
    {
        await using var log = new AppendLog(_memory, "typed", Quiet(threshold: 2));
        var typed = new JsonAppendLog<Trial>(log, TrialJson.Default.Trial);
        for (int i = 0; i < 5; i++)
        {
            await typed.AppendAsync(new Trial(i, $"trial {i}", i / 2.0));
        }

        IReadOnlyList<LogEvent<Trial>> last = await typed.ReadLastAsync(2);
        Assert.Equal([new Trial(3, "trial 3", 1.5), new Trial(4, "trial 4", 2.0)], last.Select(e => e.Value));
        Assert.Equal((await log.ReadLastAsync(2)).Select(e => e.Position), last.Select(e => e.Position));
    }

    /// <summary>Events are equal when their positions and bytes are.</summary>
    private sealed class LogEventComparer : IEqualityComparer<LogEvent>
    {
        public static readonly LogEventComparer Instance = new();

        public bool Equals(LogEvent x, LogEvent y) => x.Position == y.Position && x.Data.AsSpan().SequenceEqual(y.Data);

        public int GetHashCode(LogEvent obj) => obj.Position.GetHashCode();
    }
}
