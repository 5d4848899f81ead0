using Microsoft.Extensions.Time.Testing;
using ObjectLog.Internal;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Consumers.Consuming;

namespace ObjectLog.Tests.Consumers;

public sealed class LogConsumerTests
{
    private readonly InMemoryObjectStore _store = new();

    [Fact]
    public async Task A_new_instance_resumes_exactly_after_the_commit()
    {
        await using var log = new AppendLog(_store, "c", Fast());
        await AppendBatchAsync(log, "e0", "e1", "e2", "e3");
        await AppendBatchAsync(log, "e4", "e5", "e6", "e7", "e8", "e9");

        await using (LogConsumer first = log.CreateConsumer("billing"))
        {
            List<LogEvent> taken = await TakeAsync(first, 6);
            Assert.Equal(["e0", "e1", "e2", "e3", "e4", "e5"], taken.Select(Text));
            await first.CommitAsync(taken[5].Position);
            Assert.Equal(taken[5].Position, first.CommittedPosition);
            await first.CommitAsync(taken[2].Position); // before the commit: nothing changes
            Assert.Equal(taken[5].Position, (await StoredStateAsync(_store, log, "billing"))!.Position);
            Assert.True(first.IsOwner);
        }

        ConsumerState released = (await StoredStateAsync(_store, log, "billing"))!;
        Assert.Null(released.Owner);

        await using var log2 = new AppendLog(_store, "c", Fast()); // another process
        await using LogConsumer second = log2.CreateConsumer("billing");
        List<LogEvent> rest = await TakeAsync(second, 4);
        Assert.Equal(["e6", "e7", "e8", "e9"], rest.Select(Text));
        Assert.Equal(released.Epoch + 1, second.Epoch);
        await second.CommitAsync(rest[3].Position); // a later read continues after the last commit
        await AppendBatchAsync(log, "e10");
        Assert.Equal(["e10"], (await DrainAsync(second, TimeSpan.FromMilliseconds(300))).Select(Text));
    }

    [Fact]
    public async Task Dispose_commits_the_events_whose_successor_was_asked_for()
    {
        await using var log = new AppendLog(_store, "d", Fast());
        await AppendBatchAsync(log, "e0", "e1", "e2");
        await AppendBatchAsync(log, "e3", "e4", "e5");
        await using (LogConsumer first = log.CreateConsumer("c"))
        {
            List<LogEvent> taken = await TakeAsync(first, 5); // e4 delivered, not handled
            await first.DisposeAsync();
            Assert.Equal(taken[3].Position, first.CommittedPosition);
            await first.DisposeAsync(); // again: nothing
        }

        await using LogConsumer second = log.CreateConsumer("c");
        Assert.Equal(["e4", "e5"], (await DrainAsync(second, TimeSpan.FromMilliseconds(300))).Select(Text));
    }

    [Fact]
    public async Task Batches_of_two_writers_stored_late_and_out_of_order_are_delivered_once_across_a_restart()
    {
        var late = new FaultInjectingObjectStore(_store);
        await using var slowWriter = new AppendLog(late, "late", Fast());
        await using var writer = new AppendLog(_store, "late", Fast());
        await using var reader = new AppendLog(_store, "late", Fast());

        await AppendBatchAsync(writer, "a0", "a1");
        late.HoldPuts();
        foreach (string e in new[] { "b0", "b1" })
        {
            await slowWriter.AppendAsync(System.Text.Encoding.UTF8.GetBytes(e));
        }

        Task slowFlush = slowWriter.FlushAsync(); // named now, stored later
        await UntilAsync(() => late.PutsInFlight == 1, "the slow batch is on its way");
        await Task.Delay(5);
        await AppendBatchAsync(writer, "a2", "a3");

        LogConsumer first = reader.CreateConsumer("c");
        var seen = new List<LogEvent>();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            // One read throughout: the late batch (named before a2) arrives after a3, and b0 is the last one committed.
            await using IAsyncEnumerator<LogEvent> reading = first.ReadAsync(cts.Token).GetAsyncEnumerator();
            while (seen.Count < 4 && await reading.MoveNextAsync())
            {
                seen.Add(reading.Current);
            }

            Assert.Equal(["a0", "a1", "a2", "a3"], seen.Select(Text));
            late.ReleasePuts();
            await slowFlush;
            await AppendBatchAsync(writer, "a4");
            while (await reading.MoveNextAsync())
            {
                seen.Add(reading.Current);
                if (Text(reading.Current) == "b0")
                {
                    await first.CommitAsync(reading.Current.Position);
                    break;
                }
            }
        }

        Assert.Contains("b0", seen.Select(Text));
        await first.DisposeAsync();
        ConsumerState stored = (await StoredStateAsync(_store, reader, "c"))!;
        Assert.Equal("b0", Text(seen.Single(e => e.Position == stored.Position)));

        await using LogConsumer second = reader.CreateConsumer("c");
        List<string> after = (await DrainAsync(second, TimeSpan.FromMilliseconds(400))).Select(Text).ToList();
        List<string> handled = seen.TakeWhile(e => Text(e) != "b0").Select(Text).Append("b0").ToList();
        Assert.Empty(after.Intersect(handled)); // nothing handled before the commit comes again
        Assert.Equal(new[] { "a0", "a1", "a2", "a3", "a4", "b0", "b1" }.Except(handled).Order(), after.Order());
    }

    [Fact]
    public async Task Starts_at_the_beginning_the_end_or_a_time_and_keeps_the_start_it_stored()
    {
        await using var log = new AppendLog(_store, "s", Fast());
        await AppendBatchAsync(log, "old0", "old1");
        await Task.Delay(5);
        DateTimeOffset middle = await log.GetStoreTimeAsync();
        await Task.Delay(5);
        await AppendBatchAsync(log, "mid0");

        await using LogConsumer fromStart = log.CreateConsumer("start");
        Assert.Equal(["old0", "old1", "mid0"], (await TakeAsync(fromStart, 3)).Select(Text));

        await using LogConsumer atTime = log.CreateConsumer("time", new LogConsumerOptions { Start = LogConsumerStart.At(middle) });
        Assert.Equal(["mid0"], (await TakeAsync(atTime, 1)).Select(Text));

        LogConsumer atEnd = log.CreateConsumer("end", new LogConsumerOptions { Start = LogConsumerStart.End });
        Assert.Empty(await DrainAsync(atEnd, TimeSpan.FromMilliseconds(200)));
        await AppendBatchAsync(log, "new0");
        Assert.Equal(["new0"], (await TakeAsync(atEnd, 1)).Select(Text));
        await atEnd.DisposeAsync(); // new0 delivered, not handled: the stored start stays

        await using LogConsumer again = log.CreateConsumer("end", new LogConsumerOptions { Start = LogConsumerStart.Beginning });
        Assert.Equal(["new0"], (await DrainAsync(again, TimeSpan.FromMilliseconds(200))).Select(Text)); // the stored start wins
    }

    [Fact]
    public async Task The_policy_commits_every_N_events_handled()
    {
        await using var log = new AppendLog(_store, "n", Fast());
        await AppendBatchAsync(log, "e0", "e1", "e2", "e3", "e4", "e5", "e6");
        await using LogConsumer consumer = log.CreateConsumer("c", new LogConsumerOptions { CheckpointEveryEvents = 3, CheckpointInterval = Timeout.InfiniteTimeSpan });
        var seen = new List<LogEvent>();
        var committedWhenDelivered = new List<LogPosition?>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (LogEvent e in consumer.ReadAsync(cts.Token))
        {
            seen.Add(e);
            committedWhenDelivered.Add((await StoredStateAsync(_store, log, "c"))!.Position);
            if (seen.Count == 7)
            {
                break;
            }
        }

        Assert.Equal([null, null, null, seen[2].Position, seen[2].Position, seen[2].Position, seen[5].Position], committedWhenDelivered);
    }

    [Fact]
    public async Task The_policy_commits_when_the_interval_passed_with_something_handled()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var log = new AppendLog(_store, "t", Fast(clock));
        await AppendBatchAsync(log, "e0", "e1", "e2", "e3");
        await using LogConsumer consumer = log.CreateConsumer("c", new LogConsumerOptions { CheckpointEveryEvents = 0, CheckpointInterval = TimeSpan.FromSeconds(5), LeaseDuration = TimeSpan.FromMinutes(5) });
        var seen = new List<LogEvent>();
        var committedWhenDelivered = new List<LogPosition?>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (LogEvent e in consumer.ReadAsync(cts.Token))
        {
            seen.Add(e);
            committedWhenDelivered.Add(consumer.CommittedPosition);
            if (seen.Count == 1 || seen.Count == 3)
            {
                clock.Advance(TimeSpan.FromSeconds(6));
            }

            if (seen.Count == 4)
            {
                break;
            }
        }

        // e0 handled 6 s after the start: committed before e1; e1 is handled before 5 s more; e2 after.
        Assert.Equal([null, seen[0].Position, seen[0].Position, seen[2].Position], committedWhenDelivered);
    }

    [Fact]
    public async Task The_interval_commits_what_was_handled_while_the_caller_waits_for_events()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var log = new AppendLog(_store, "w", Fast(clock));
        await AppendBatchAsync(log, "e0", "e1");
        await using LogConsumer consumer = log.CreateConsumer("c", new LogConsumerOptions { CheckpointEveryEvents = 0, CheckpointInterval = TimeSpan.FromSeconds(5), LeaseDuration = TimeSpan.FromSeconds(30) });
        using var stop = new CancellationTokenSource();
        IAsyncEnumerator<LogEvent> reading = consumer.ReadAsync(stop.Token).GetAsyncEnumerator();
        Assert.True(await reading.MoveNextAsync());
        Assert.True(await reading.MoveNextAsync());
        LogPosition last = reading.Current.Position;
        Task<bool> waiting = reading.MoveNextAsync().AsTask(); // e1 is handled; no event comes to carry a commit

        for (int i = 0; i < 200 && (await StoredStateAsync(_store, log, "c"))?.Position != last; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1)); // past the interval, to the next renewal (every 10 s)
            await Task.Delay(5);
        }

        Assert.Equal(last, (await StoredStateAsync(_store, log, "c"))!.Position);
        Assert.False(waiting.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await reading.DisposeAsync();
    }

    [Fact]
    public async Task A_fenced_owner_cannot_commit_and_its_read_stops()
    {
        await using var log = new AppendLog(_store, "f", Fast());
        await AppendBatchAsync(log, "e0", "e1", "e2");
        LogConsumer owner = log.CreateConsumer("c", new LogConsumerOptions { LeaseDuration = TimeSpan.FromMilliseconds(300) });
        var seen = new List<LogEvent>();
        string key = ConsumerNames.Key(log.KeyPrefix, "c");
        Task reading = Task.Run(async () =>
        {
            await foreach (LogEvent e in owner.ReadAsync())
            {
                seen.Add(e);
            }
        });

        await UntilAsync(() => seen.Count == 3, "three events are delivered");
        await owner.CommitAsync(seen[0].Position);

        // Another instance takes it over (as a forced reset would): a write of its own, from the current version.
        VersionedObject current = await _store.GetVersionedAsync(key);
        ConsumerState taken = ConsumerState.Parse(key, current.Content) with { Owner = "someone-else", Epoch = ConsumerState.Parse(key, current.Content).Epoch + 1 };
        await _store.PutVersionedAsync(key, taken.ToJson(), PutMode.Update, current.Version);
        VersionedObject theirs = await _store.GetVersionedAsync(key);

        await Assert.ThrowsAsync<ConsumerFencedException>(() => owner.CommitAsync(seen[2].Position));
        await Assert.ThrowsAsync<ConsumerFencedException>(() => reading.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(owner.IsOwner);
        await owner.DisposeAsync(); // neither commits nor releases
        VersionedObject after = await _store.GetVersionedAsync(key);
        Assert.Equal(theirs.Version, after.Version);
        Assert.Equal(seen[0].Position, ConsumerState.Parse(key, after.Content).Position);
    }

    [Fact]
    public async Task A_standby_names_the_owner_it_waits_for_and_takes_over_when_the_lease_expires_and_not_before()
    {
        var lease = TimeSpan.FromSeconds(3);
        var poll = TimeSpan.FromMilliseconds(250);
        var clock1 = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var clock2 = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store2 = new FaultInjectingObjectStore(_store); // counts the standby's reads
        await using var writer = new AppendLog(_store, "l", Fast());
        await using var log1 = new AppendLog(_store, "l", Fast(clock1));
        await using var log2 = new AppendLog(store2, "l", Fast(clock2));
        await AppendBatchAsync(writer, "e0", "e1", "e2");
        var options = new LogConsumerOptions { LeaseDuration = lease, StandbyPollInterval = poll, CheckpointInterval = Timeout.InfiniteTimeSpan };
        LogConsumer owner = log1.CreateConsumer("c", options);
        List<LogEvent> taken = await TakeAsync(owner, 2);
        await owner.CommitAsync(taken[0].Position);

        LogConsumer standby = log2.CreateConsumer("c", options);
        var seen = new List<string>();
        Task standing = Task.Run(async () =>
        {
            await foreach (LogEvent e in standby.ReadAsync())
            {
                lock (seen)
                {
                    seen.Add(Text(e));
                }
            }
        });

        Assert.Null(owner.HeldBy);
        await UntilAsync(() => store2.Gets >= 1 && standby.HeldBy is not null, "the standby reads the lease");
        Assert.Equal(owner.OwnerId, standby.HeldBy);
        DateTimeOffset firstSeen = clock2.GetUtcNow();
        async Task StepStandbyAsync()
        {
            clock2.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(1);
        }

        while (clock2.GetUtcNow() - firstSeen < TimeSpan.FromSeconds(2))
        {
            await StepStandbyAsync();
            Assert.False(standby.IsOwner);
            Assert.Equal(owner.OwnerId, standby.HeldBy);
        }

        string key = ConsumerNames.Key(log1.KeyPrefix, "c");
        string before = (await _store.GetVersionedAsync(key)).Version;
        clock1.Advance(TimeSpan.FromSeconds(1)); // the owner renews: the standby counts again from when it sees that
        await UntilAsync(() => _store.GetVersionedAsync(key).Result.Version != before, "the owner renews its lease");
        DateTimeOffset renewed = clock2.GetUtcNow();
        while (!standby.IsOwner)
        {
            await StepStandbyAsync();
            Assert.True(clock2.GetUtcNow() - renewed < lease + TimeSpan.FromSeconds(2), "the standby did not take over after the lease expired");
        }

        // Not before: the lease counted from the renewal it saw, not from the version it saw first.
        Assert.True(clock2.GetUtcNow() - renewed >= lease, $"the standby took over {clock2.GetUtcNow() - renewed} after the renewal, before the lease of {lease} ran out");
        Assert.True(standby.IsOwner);
        Assert.Null(standby.HeldBy);
        await UntilAsync(() => { lock (seen) { return seen.Count == 2; } }, "the new owner delivers what was not committed");
        lock (seen)
        {
            Assert.Equal(["e1", "e2"], seen);
        }

        await Assert.ThrowsAsync<ConsumerFencedException>(() => owner.CommitAsync(taken[1].Position));
        Assert.Equal(taken[0].Position, (await StoredStateAsync(_store, log1, "c"))!.Position);
        Assert.Equal(standby.OwnerId, (await StoredStateAsync(_store, log1, "c"))!.Owner);
        await owner.DisposeAsync();
        await standby.DisposeAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => standing.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Every_renewal_writes_different_bytes_so_a_version_that_is_a_digest_of_them_changes_too()
    {
        // S3's and Ceph's versions are MD5 digests of the bytes: a renewal that wrote the same bytes would keep the
        // version, and a standby would take the owner for dead.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var log = new AppendLog(_store, "l", Fast(clock));
        await AppendBatchAsync(log, "e0");
        await using LogConsumer owner = log.CreateConsumer("c", new LogConsumerOptions { LeaseDuration = TimeSpan.FromSeconds(3), CheckpointInterval = Timeout.InfiniteTimeSpan });
        await TakeAsync(owner, 1);
        string key = ConsumerNames.Key(log.KeyPrefix, "c");
        var written = new List<byte[]> { (await _store.GetVersionedAsync(key)).Content.ToArray() };
        for (int renewal = 0; renewal < 3; renewal++)
        {
            string before = (await _store.GetVersionedAsync(key)).Version;
            clock.Advance(TimeSpan.FromSeconds(1));
            await UntilAsync(() => _store.GetVersionedAsync(key).Result.Version != before, "the owner renews its lease");
            written.Add((await _store.GetVersionedAsync(key)).Content.ToArray());
        }

        Assert.Equal(written.Count, written.Select(Convert.ToHexString).Distinct().Count());
        Assert.Equal([1L, 2L, 3L, 4L], written.Select(b => ConsumerState.Parse(key, b).Writes));
    }

    [Fact]
    public async Task An_idle_consumer_waits_its_own_poll_interval_between_listings()
    {
        var clock = new TimerRecordingClock(DateTimeOffset.UtcNow);
        AppendLogOptions options = Fast(clock);
        (options.TailPollInterval, options.StoreTimeProvider) = (TimeSpan.FromSeconds(1), clock);
        await using var log = new AppendLog(_store, "idle", options);
        var poll = TimeSpan.FromSeconds(4);
        await using LogConsumer consumer = log.CreateConsumer("c", new LogConsumerOptions { PollInterval = poll, LeaseDuration = TimeSpan.FromMinutes(1) });
        using var stop = new CancellationTokenSource();
        IAsyncEnumerator<LogEvent> reading = consumer.ReadAsync(stop.Token).GetAsyncEnumerator();
        Task<bool> next = reading.MoveNextAsync().AsTask();

        var waits = new List<TimeSpan>();
        for (int timer = 0; timer < 8; timer++)
        {
            TimeSpan wait = await clock.NextTimerAsync();
            waits.Add(wait);
            clock.Advance(wait);
        }

        Assert.Contains(poll, waits); // the tail's idle pace is the consumer's
        Assert.DoesNotContain(options.TailPollInterval, waits); // not the log's
        Assert.False(next.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
        await reading.DisposeAsync();
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("a/b", "it holds '/'")]
    [InlineData(".hidden", "it starts with '.'")]
    public async Task A_bad_name_is_refused_with_the_reason(string name, string reason)
    {
        await using var log = new AppendLog(_store, "n", Fast());
        ArgumentException e = Assert.Throws<ArgumentException>(() => log.CreateConsumer(name));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Equal("name", e.ParamName);
    }

    [Fact]
    public async Task A_damaged_state_object_is_refused_with_its_key_and_left_as_it_is()
    {
        await using var log = new AppendLog(_store, "x", Fast());
        await AppendBatchAsync(log, "e0");
        string key = ConsumerNames.Key(log.KeyPrefix, "c");
        byte[] damaged = "{\"format\":1,\"consumer\":\"c\",\"position\":\"nonsense\"}"u8.ToArray();
        await _store.PutVersionedAsync(key, damaged, PutMode.Create, null);
        string version = (await _store.GetVersionedAsync(key)).Version;

        await using (LogConsumer consumer = log.CreateConsumer("c"))
        {
            CorruptObjectException e = await Assert.ThrowsAsync<CorruptObjectException>(() => TakeAsync(consumer, 1));
            Assert.Contains(key, e.Message, StringComparison.Ordinal);
            Assert.False(consumer.IsOwner);
        }

        VersionedObject after = await _store.GetVersionedAsync(key);
        Assert.Equal(version, after.Version);
        Assert.Equal(damaged, after.Content.ToArray());
    }

    [Fact]
    public async Task A_store_without_conditional_updates_is_refused_by_name()
    {
        await using var log = new AppendLog(new FaultInjectingObjectStore(new InMemoryObjectStore()) { ConditionalUpdate = false }, "u", Fast());
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => log.CreateConsumer("c"));
        Assert.Contains("FaultInjectingObjectStore", e.Message, StringComparison.Ordinal);
        Assert.Contains("conditional", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_one_read_at_a_time_and_only_delivered_positions_commit()
    {
        await using var log = new AppendLog(_store, "o", Fast());
        await AppendBatchAsync(log, "e0", "e1");
        await using LogConsumer consumer = log.CreateConsumer("c");
        await using IAsyncEnumerator<LogEvent> reading = consumer.ReadAsync().GetAsyncEnumerator();
        Assert.True(await reading.MoveNextAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => TakeAsync(consumer, 1));
        var elsewhere = new LogPosition(reading.Current.Position.Batch, 7);
        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => consumer.CommitAsync(elsewhere));
        Assert.Contains("not delivered", e.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, consumer.Lag);
    }
}
