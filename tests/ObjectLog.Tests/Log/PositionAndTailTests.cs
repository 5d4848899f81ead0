using Microsoft.Extensions.Time.Testing;
using ObjectLog.Storage;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

public sealed class PositionAndTailTests
{
    private readonly InMemoryObjectStore _store = new();

    [Fact]
    public async Task Positions_survive_compaction_and_resume_exactly_after_a_checkpoint()
    {
        await using var log = new AppendLog(_store, "pos", Quiet(threshold: 3));
        for (int i = 0; i < 20; i++)
        {
            await log.AppendAsync(E($"e{i}"));
        }

        await log.FlushAsync();
        List<LogEvent> before = await ToListAsync(log.ReadEventsAsync());
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"e{i}"), Texts(before.Select(e => e.Data)));
        Assert.Equal(before.Select(e => e.Position).Order(), before.Select(e => e.Position)); // positions order as the log does
        Assert.Equal([0, 1, 2], before.Take(3).Select(e => e.Position.Line));

        await log.CompactAsync(CompactionPolicy.SizeTiered(fanIn: 3, minObjectBytes: 1));
        Assert.Equal(before, await ToListAsync(log.ReadEventsAsync()), new EventComparer());
        await log.CompactAsync();
        Assert.Equal(before, await ToListAsync(log.ReadEventsAsync()), new EventComparer());

        for (int k = 0; k < before.Count; k++)
        {
            LogPosition checkpoint = LogPosition.Parse(before[k].Position.ToString()); // stored as text, read back
            Assert.Equal(before.Skip(k + 1), await ToListAsync(log.ReadEventsAsync(checkpoint)), new EventComparer());
        }
    }

    [Fact]
    public void Positions_parse_format_and_refuse_what_is_not_a_position()
    {
        var p = new LogPosition("batch_0001700000000000001-00000000000000ab-000000000002.jsonl", 7);
        Assert.Equal("batch_0001700000000000001-00000000000000ab-000000000002.jsonl:7", p.ToString());
        Assert.Equal(p, LogPosition.Parse(p.ToString()));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(1_700_000_000_000_001 * 10), p.BatchTime);
        Assert.True(new LogPosition("batch_0001700000000000000.jsonl", 9) < p);
        Assert.Throws<FormatException>(() => LogPosition.Parse("batch_1.jsonl:3"));
        Assert.Throws<FormatException>(() => LogPosition.Parse("batch_0001700000000000001.jsonl:-1"));
        Assert.False(LogPosition.TryParse(null, out _));
        Assert.Throws<ArgumentException>(() => new LogPosition("README.md", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogPosition("batch_0001700000000000001.jsonl", -1));
    }

    [Fact]
    public async Task Tail_returns_what_is_there_then_new_events_once_each_across_compaction()
    {
        var options = new AppendLogOptions { FlushThreshold = 2, FlushInterval = Timeout.InfiniteTimeSpan, TailPollInterval = TimeSpan.FromMilliseconds(20) };
        await using var writer = new AppendLog(_store, "tail", options);
        await writer.AppendAsync(E("old-0"));
        await writer.AppendAsync(E("old-1"));

        await using var follower = new AppendLog(_store, "tail", options);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<string>();
        Task tail = Task.Run(async () =>
        {
            await foreach (LogEvent e in follower.TailAsync(cancellationToken: cts.Token))
            {
                seen.Add(Texts([e.Data])[0]);
                if (seen.Count == 12)
                {
                    return;
                }
            }
        });

        for (int i = 0; i < 10; i++)
        {
            await writer.AppendAsync(E($"new-{i}"));
            if (i % 4 == 3)
            {
                await writer.CompactAsync();
            }

            await Task.Delay(5);
        }

        await tail.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["old-0", "old-1", .. Enumerable.Range(0, 10).Select(i => $"new-{i}")], seen);
    }

    [Fact]
    public async Task Tail_returns_a_late_batch_within_the_look_back_and_resumes_from_a_checkpoint()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var behind = new FakeTimeProvider(clock.GetUtcNow() - TimeSpan.FromSeconds(20));
        var options = new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, TailPollInterval = TimeSpan.FromMilliseconds(20), TailLookBack = TimeSpan.FromMinutes(1), StoreTimeProvider = clock };
        await using var onTime = new AppendLog(_store, "late", new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = clock, StoreTimeProvider = clock });
        await using var slowClock = new AppendLog(_store, "late", new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = behind, StoreTimeProvider = clock });
        await onTime.AppendAsync(E("a"));
        await onTime.AppendAsync(E("b"));

        await using var follower = new AppendLog(_store, "late", options);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<LogEvent>();
        await foreach (LogEvent e in follower.TailAsync(cancellationToken: cts.Token))
        {
            seen.Add(e);
            if (seen.Count == 2)
            {
                await slowClock.AppendAsync(E("late")); // its name sorts before "a" and "b"
            }

            if (seen.Count == 3)
            {
                break;
            }
        }

        Assert.Equal(["a", "b", "late"], Texts(seen.Select(e => e.Data)));
        Assert.True(seen[2].Position < seen[0].Position);

        // Resuming after "a" is at least once: the look-back returns "late" (it sorts before "a" but may have been
        // stored after a position was saved), then "b" and "c", each once; "a" itself does not come again.
        await onTime.AppendAsync(E("c"));
        var resumed = new List<string>();
        await foreach (LogEvent e in follower.TailAsync(seen[0].Position, cts.Token))
        {
            resumed.Add(Texts([e.Data])[0]);
            if (resumed.Count == 3)
            {
                break;
            }
        }

        Assert.Equal(["late", "b", "c"], resumed);

        // The README's pattern: the position of the last event handled is saved; a batch that sorts before it lands
        // afterwards (a writer 20 s slow). Resuming from the saved position returns it: nothing acknowledged is skipped.
        LogPosition saved = (await ToListAsync(follower.ReadEventsAsync())).Last().Position; // "c"
        await slowClock.AppendAsync(E("landed late"));
        var afterSaved = new List<string>();
        await foreach (LogEvent e in follower.TailAsync(saved, cts.Token))
        {
            afterSaved.Add(Texts([e.Data])[0]);
            if (afterSaved.Contains("landed late"))
            {
                break;
            }
        }

        Assert.DoesNotContain("c", afterSaved);
        Assert.Contains("landed late", afterSaved);
    }

    [Fact]
    public async Task Tail_ends_with_OperationCanceledException_when_cancelled()
    {
        await using var log = new AppendLog(_store, "cancel", new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan, TailPollInterval = TimeSpan.FromMilliseconds(10) });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (LogEvent _ in log.TailAsync(cancellationToken: cts.Token))
            {
            }
        });
    }

    private sealed class EventComparer : IEqualityComparer<LogEvent>
    {
        public bool Equals(LogEvent x, LogEvent y) => x.Position == y.Position && x.Data.AsSpan().SequenceEqual(y.Data);

        public int GetHashCode(LogEvent obj) => obj.Position.GetHashCode();
    }
}
