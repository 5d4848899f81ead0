using Microsoft.Extensions.Time.Testing;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>
/// Promises that once held only while every machine's clock agreed: each process here has a clock of its own, off
/// the store's (which stamps objects and answers <see cref="IObjectStore.GetTimeAsync"/>) by minutes to a year, and
/// some stall for longer than every grace period. Multi-process runs under <c>faketime</c> check the same from outside.
/// </summary>
public sealed class ClockSkewTests
{
    private readonly FakeTimeProvider _storeClock = new(DateTimeOffset.UtcNow);
    private readonly InMemoryObjectStore _memory;
    private readonly FaultInjectingObjectStore _store;

    public ClockSkewTests()
    {
        _memory = new InMemoryObjectStore(_storeClock);
        _store = new FaultInjectingObjectStore(_memory);
    }

    [Fact]
    public async Task A_trimmer_whose_clock_is_a_year_fast_is_refused_and_the_log_it_would_have_erased_stays_whole()
    {
        await using AppendLog writer = Open(TimeSpan.Zero);
        await AppendAsync(writer, "before", 100);
        await using AppendLog trimmer = Open(TimeSpan.FromDays(365));

        // What objlog trim --keep 30d computed on that host, from its own clock.
        DateTimeOffset cutoff = _storeClock.GetUtcNow() + TimeSpan.FromDays(365) - TimeSpan.FromDays(30);
        var refused = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => trimmer.TrimAsync(cutoff));
        Assert.Contains(cutoff.ToString("O", System.Globalization.CultureInfo.InvariantCulture), refused.Message, StringComparison.Ordinal);
        Assert.Contains("store's time", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await _memory.ListSortedAsync("skew/trim_"));

        await AppendAsync(writer, "after", 50); // acknowledged, and read
        await trimmer.CompactAsync();
        Assert.Equal(150, (await trimmer.ReadAllAsync()).Count);
        VerifyReport report = await trimmer.VerifyAsync();
        Assert.True(report.IsSound, string.Join("; ", report.Problems.Select(p => p.Message)));
        Assert.Equal(150, report.Events);
    }

    [Fact]
    public async Task A_trim_record_from_the_future_hides_nothing_is_reported_and_a_repair_deletes_it()
    {
        await using AppendLog writer = Open(TimeSpan.Zero);
        await AppendAsync(writer, "before", 100);
        const string forged = "skew/trim_0001900000000000000-0000000000000000.json"; // 2030, placed by hand
        await _memory.PutAsync(forged, "{\"format\":\"objectlog.trim/1\"}"u8.ToArray());
        const string issues = "skew/trim_2000000000000000000-0000000000000000.json"; // the year 65,000: not a name of the log's at all
        await _memory.PutAsync(issues, "{}"u8.ToArray());

        Assert.Equal(100, (await writer.ReadAllAsync()).Count);
        await AppendAsync(writer, "after", 50);
        Assert.Equal(150, (await writer.ReadAllAsync()).Count);

        VerifyReport report = await writer.VerifyAsync();
        VerifyProblem problem = Assert.Single(report.Problems);
        Assert.Equal(forged, problem.Key);
        Assert.Contains("from the future", problem.Message, StringComparison.Ordinal);
        Assert.Equal(150, report.Events); // it does not stop the read: nothing is hidden
        Assert.Equal(1, report.ForeignObjects);

        await writer.CompactAsync(CompactionPolicy.Nothing); // objlog verify --repair
        Assert.Equal([issues], (await _memory.ListSortedAsync("skew/trim_")).Select(m => m.Key)); // not ObjectLog's: never touched
        await writer.CompactAsync();
        Assert.Equal(150, (await writer.ReadAllAsync()).Count);
        Assert.True((await writer.VerifyAsync()).IsSound);
    }

    [Fact]
    public async Task A_writer_whose_clock_is_two_hours_slow_after_a_trim_is_read_and_so_are_its_later_flushes()
    {
        await using AppendLog writer = Open(TimeSpan.Zero);
        await AppendAsync(writer, "old", 20);
        _storeClock.Advance(TimeSpan.FromHours(2));
        await using AppendLog trimmer = Open(TimeSpan.Zero);
        await trimmer.TrimAsync(_storeClock.GetUtcNow() - TimeSpan.FromHours(1)); // trim --keep 1h
        Assert.Empty(await trimmer.ReadAllAsync());

        await using AppendLog slow = Open(TimeSpan.FromHours(-2));
        await AppendAsync(slow, "slow", 20); // named by its clock, stored after the trim
        await using AppendLog reader = Open(TimeSpan.Zero);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"slow-{i}"), Texts(await reader.ReadAllAsync()));
        await reader.CompactAsync();
        Assert.Equal(20, (await reader.ReadAllAsync()).Count);
    }

    [Theory]
    [InlineData(2.0, false)] // a collector whose clock is 2 h fast runs verify --repair
    [InlineData(2.0, true)] // ... or a trim, which collects garbage too
    [InlineData(0.0, false)] // no skew: the compactor just stalls for longer than the grace period
    public async Task A_compaction_stalled_past_every_grace_period_while_another_process_collects_loses_nothing(double collectorHoursFast, bool trim)
    {
        await using AppendLog writer = Open(TimeSpan.Zero);
        await AppendAsync(writer, "e", 50);
        string[] expected = Texts(await writer.ReadAllAsync());
        await using AppendLog compactor = Open(TimeSpan.Zero);
        await using AppendLog collector = Open(TimeSpan.FromHours(collectorHoursFast));
        int collected = 0;
        _store.BeforeNextCall(
            (call, key) => call == StoreCall.Put && key.EndsWith(".manifest.json", StringComparison.Ordinal),
            async () =>
            {
                _storeClock.Advance(TimeSpan.FromHours(2)); // the compactor stalls between its data and its manifest
                collected = trim
                    ? (await collector.TrimAsync(_storeClock.GetUtcNow() - TimeSpan.FromDays(30))).DeletedObjects
                    : (await collector.CompactAsync(CompactionPolicy.Nothing)).DeletedObjects;
            });

        CompactionStats stats = await compactor.CompactAsync();
        Assert.True(collected >= 1, "the collector took the stalled compaction's data for abandoned");
        Assert.NotNull(stats.NewKey); // withdrawn, then merged again from a fresh listing
        Assert.Equal(expected, Texts(await collector.ReadAllAsync()));
        VerifyReport report = await collector.VerifyAsync();
        Assert.True(report.IsSound, string.Join("; ", report.Problems.Select(p => p.Message)));
        Assert.Equal(1, await collector.CountObjectsAsync());
    }

    [Fact]
    public async Task A_compaction_whose_end_marker_cannot_be_stored_leaves_no_copy_of_its_data_behind()
    {
        await using AppendLog writer = Open(TimeSpan.Zero);
        await AppendAsync(writer, "e", 30);
        _store.FailWhen((call, key) => call == StoreCall.Put && key.EndsWith(".end.json", StringComparison.Ordinal) ? Fault.FailBefore : null);
        for (int i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<InjectedFaultException>(() => writer.CompactAsync()); // a full disk, say
        }

        _store.FailWhen(null);
        Assert.DoesNotContain(await _memory.ListSortedAsync("skew/"), m => m.Key.Contains('~', StringComparison.Ordinal));
        Assert.Equal(30, (await writer.ReadAllAsync()).Count);
    }

    [Fact]
    public async Task A_writer_ten_minutes_fast_neither_blinds_a_tail_nor_hides_what_others_store_from_a_saved_position()
    {
        var options = Quiet(threshold: 1);
        options.TailPollInterval = TimeSpan.FromMilliseconds(10);
        await using var follower = new AppendLog(_store, "skew", options); // this machine's clock for its timers
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using AppendLog fast = Open(TimeSpan.FromMinutes(10));
        await using AppendLog onTime = Open(TimeSpan.Zero);
        await AppendAsync(fast, "fast", 1);

        var seen = new List<LogEvent>();
        await foreach (LogEvent e in follower.TailAsync(cancellationToken: cts.Token))
        {
            seen.Add(e);
            if (seen.Count == 1)
            {
                Assert.True(e.Position.BatchTime <= _storeClock.GetUtcNow() + TimeSpan.FromSeconds(31), $"named {e.Position.BatchTime:O}, the store says {_storeClock.GetUtcNow():O}");
                await AppendAsync(onTime, "on-time", 50); // named by the store's clock, behind the fast one's
            }

            if (seen.Count == 51)
            {
                break;
            }
        }

        Assert.Equal(["fast-0", .. Enumerable.Range(0, 50).Select(i => $"on-time-{i}")], Texts(seen.Select(e => e.Data)));

        // A consumer that saved the fast event's position and resumes (the README's pattern) gets the others' events,
        // which sort before it: they were stored after it.
        LogPosition saved = seen[0].Position;
        var resumed = new List<string>();
        await foreach (LogEvent e in follower.TailAsync(saved, cts.Token))
        {
            resumed.Add(Texts([e.Data])[0]);
            if (resumed.Count == 50)
            {
                break;
            }
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"on-time-{i}"), resumed);

        // A position named further ahead than any writer names batches (placed by hand, or by an older version that
        // trusted a fast clock) hides nothing stored since from a plain read either.
        var fromTheFuture = LogPosition.Parse($"batch_{ObjectLog.Internal.LogObjectName.Microseconds(_storeClock.GetUtcNow().AddMinutes(10)):D19}-0000000000000001-000000000001.jsonl:0");
        List<LogEvent> after = await ToListAsync(follower.ReadEventsAsync(fromTheFuture));
        Assert.Equal(51, after.Count);
    }

    [Fact]
    public async Task A_writer_named_a_year_ahead_before_it_could_read_the_store_clock_renames_its_batches()
    {
        await using AppendLog ahead = Open(TimeSpan.FromDays(365));
        Assert.True(ahead.TryAppend(E("one")));
        Assert.True(ahead.TryAppend(E("two")));
        await ahead.FlushAsync();
        List<LogEvent> read = await ToListAsync(ahead.ReadEventsAsync());
        Assert.Equal(["one", "two"], Texts(read.Select(e => e.Data)));
        Assert.All(read, e => Assert.InRange(e.Position.BatchTime, _storeClock.GetUtcNow() - TimeSpan.FromSeconds(31), _storeClock.GetUtcNow() + TimeSpan.FromSeconds(31)));
    }

    private AppendLog Open(TimeSpan offset)
    {
        AppendLogOptions options = Quiet(threshold: 10);
        options.TimeProvider = new SkewedClock(_storeClock) { Offset = offset };
        return new AppendLog(_store, "skew", options);
    }

    private static async Task AppendAsync(AppendLog log, string name, int count)
    {
        for (int i = 0; i < count; i++)
        {
            await log.AppendAsync(E($"{name}-{i}"));
        }

        await log.FlushAsync();
    }
}
