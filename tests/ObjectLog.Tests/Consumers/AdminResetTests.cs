using ObjectLog.Internal;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;

namespace ObjectLog.Tests.Consumers;

public sealed class AdminResetTests
{
    [Fact]
    public async Task A_reset_moves_the_consumer_and_forgets_what_it_handled()
    {
        await using var log = new AdminStates();
        List<LogPosition> events = await log.AppendMinutesAsync(3);
        await log.WriteAsync("billing", events[2], epoch: 4);

        ConsumerInfo atStart = await log.Log.ResetConsumerAsync("billing", LogConsumerStart.Beginning);
        Assert.Null(atStart.Position);
        Assert.Equal(TimeSpan.FromMinutes(2), atStart.Lag);
        (ConsumerState state, _) = await log.ReadAsync("billing");
        Assert.Null(state.Position);
        Assert.Null(state.Newest);
        Assert.Equal(0, state.Handled.Count);
        Assert.Null(state.Owner);
        Assert.Equal(4, state.Epoch); // nobody owned it: no takeover

        DateTimeOffset storeNow = await log.Log.GetStoreTimeAsync();
        ConsumerInfo atEnd = await log.Log.ResetConsumerAsync("billing", LogConsumerStart.End);
        Assert.Equal(LogPosition.Before(storeNow), atEnd.Position);
        Assert.Equal(TimeSpan.Zero, atEnd.Lag);

        DateTimeOffset time = events[1].BatchTime;
        ConsumerInfo atTime = await log.Log.ResetConsumerAsync("billing", LogConsumerStart.At(time));
        Assert.Equal(LogPosition.Before(time), atTime.Position);
        Assert.Equal(TimeSpan.FromMinutes(1), atTime.Lag);

        ConsumerInfo atEvent = await log.Log.ResetConsumerAsync("billing", events[0]);
        Assert.Equal(events[0], atEvent.Position);
        (state, _) = await log.ReadAsync("billing");
        Assert.Equal(events[0], state.Position);
        Assert.Null(state.Newest);
        Assert.Equal(atEvent.Position, (await log.Log.ListConsumersAsync()).Single().Position);
    }

    [Fact]
    public async Task A_reset_of_a_consumer_without_state_creates_it_there()
    {
        await using var log = new AdminStates();
        List<LogPosition> events = await log.AppendMinutesAsync(2);

        ConsumerInfo created = await log.Log.ResetConsumerAsync("new-one", events[1]);

        Assert.Equal(events[1], created.Position);
        (ConsumerState state, _) = await log.ReadAsync("new-one");
        Assert.Equal("new-one", state.Consumer);
        Assert.Equal(0, state.Epoch);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("naïve")]
    public async Task A_bad_name_is_refused_and_nothing_is_written(string name)
    {
        await using var log = new AdminStates();
        await log.AppendMinutesAsync(1);
        int puts = log.Store.Puts;

        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => log.Log.ResetConsumerAsync(name, LogConsumerStart.Beginning));

        Assert.Contains("is not a consumer name", e.Message, StringComparison.Ordinal);
        Assert.Equal(puts, log.Store.Puts);
    }

    [Fact]
    public async Task A_position_that_is_not_in_the_log_is_refused_and_nothing_is_written()
    {
        await using var log = new AdminStates();
        List<LogPosition> events = await log.AppendMinutesAsync(2);
        await log.WriteAsync("billing", events[1]);
        (_, string version) = await log.ReadAsync("billing");
        string unknownBatch = LogObjectName.Batch(LogObjectName.Microseconds(events[0].BatchTime) + 7, 0x1234, 1);
        LogPosition[] absent = [new(events[0].Batch, 1), new(unknownBatch, 0)]; // a line past the batch's end; a batch never stored

        foreach (LogPosition position in absent)
        {
            ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => log.Log.ResetConsumerAsync("billing", position));
            Assert.Contains($"{position} is not in the log", e.Message, StringComparison.Ordinal);
            ArgumentException created = await Assert.ThrowsAsync<ArgumentException>(() => log.Log.ResetConsumerAsync("other", position));
        }

        Assert.Equal(version, (await log.ReadAsync("billing")).Version);
        Assert.False(await log.ExistsAsync("other"));
    }

    [Fact]
    public async Task An_event_inside_merged_data_is_in_the_log()
    {
        await using var log = new AdminStates();
        List<LogPosition> events = await log.AppendMinutesAsync(4);
        await log.Log.CompactAsync(CompactionPolicy.All);
        Assert.DoesNotContain(await log.Log.ListLiveObjectsAsync(), o => o.Key.Contains(events[1].Batch, StringComparison.Ordinal)); // its batch object is gone

        Assert.Equal(events[1], (await log.Log.ResetConsumerAsync("billing", events[1])).Position);
        await Assert.ThrowsAsync<ArgumentException>(() => log.Log.ResetConsumerAsync("billing", new LogPosition(events[1].Batch, 1)));
    }

    [Fact]
    public async Task A_trimmed_event_is_not_in_the_log()
    {
        await using var log = new AdminStates();
        List<LogPosition> events = await log.AppendMinutesAsync(3);
        await log.Log.TrimAsync(events[1].BatchTime);

        await Assert.ThrowsAsync<ArgumentException>(() => log.Log.ResetConsumerAsync("billing", events[0]));
        Assert.Equal(events[1], (await log.Log.ResetConsumerAsync("billing", events[1])).Position);
    }

    [Fact]
    public async Task An_owned_consumer_is_refused_with_its_owner_and_lease_named_and_left_as_it_was()
    {
        await using var log = new AdminStates();
        List<LogPosition> events = await log.AppendMinutesAsync(2);
        string version = await log.WriteAsync("billing", events[1], owner: "host-a/41", epoch: 3);
        DateTimeOffset expires = log.Clock.GetUtcNow() + TimeSpan.FromSeconds(30);

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => log.Log.ResetConsumerAsync("billing", LogConsumerStart.Beginning));

        Assert.Contains("'host-a/41'", e.Message, StringComparison.Ordinal);
        Assert.Contains(expires.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        Assert.Contains("force", e.Message, StringComparison.Ordinal);
        Assert.Equal(version, (await log.ReadAsync("billing")).Version);
    }

    [Fact]
    public async Task With_force_the_owner_is_fenced_its_next_conditional_write_fails()
    {
        await using var log = new AdminStates();
        List<LogPosition> events = await log.AppendMinutesAsync(2);
        string ownersVersion = await log.WriteAsync("billing", events[1], owner: "host-a/41", epoch: 3);

        ConsumerInfo reset = await log.Log.ResetConsumerAsync("billing", events[0], force: true);

        Assert.Null(reset.Owner);
        Assert.Null(reset.LeaseExpires);
        (ConsumerState state, _) = await log.ReadAsync("billing");
        Assert.Equal(4, state.Epoch);
        Assert.Null(state.Owner);
        Assert.Equal(events[0], state.Position);

        // The owner commits as it always does: an update of the version it last wrote.
        var commit = new ConsumerState("billing", events[1], events[1].Batch, new HandledBatches(), log.Clock.GetUtcNow(), "host-a/41", 3, TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<ObjectChangedException>(() => log.Store.PutVersionedAsync(AdminStates.Key("billing"), commit.ToJson(), PutMode.Update, ownersVersion));
    }

    [Fact]
    public async Task An_expired_lease_does_not_hold_a_reset_and_the_departed_owner_is_fenced()
    {
        await using var log = new AdminStates();
        List<LogPosition> events = await log.AppendMinutesAsync(2);
        await log.WriteAsync("billing", events[1], owner: "crashed/7", epoch: 2);
        log.Clock.Advance(TimeSpan.FromSeconds(31));

        ConsumerInfo reset = await log.Log.ResetConsumerAsync("billing", LogConsumerStart.Beginning);

        Assert.Null(reset.Owner);
        Assert.Equal(3, (await log.ReadAsync("billing")).State.Epoch);
    }

    [Fact]
    public async Task A_commit_that_races_the_reset_is_not_overwritten_the_reset_judges_it_again()
    {
        await using var log = new AdminStates();
        List<LogPosition> events = await log.AppendMinutesAsync(2);
        await log.WriteAsync("billing", events[0]);
        string? racedVersion = null;

        // Between the reset's read and its write, an instance takes the consumer and commits.
        log.Store.BeforeNextCall(
            (call, key) => call == StoreCall.Put && key == AdminStates.Key("billing"),
            async () => racedVersion = await log.Store.Inner.PutVersionedAsync(
                AdminStates.Key("billing"),
                new ConsumerState("billing", events[1], events[1].Batch, new HandledBatches(), log.Clock.GetUtcNow(), "host-b/9", 2, TimeSpan.FromSeconds(30)).ToJson(),
                PutMode.Overwrite,
                null));

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => log.Log.ResetConsumerAsync("billing", LogConsumerStart.Beginning));

        Assert.Contains("'host-b/9'", e.Message, StringComparison.Ordinal);
        (ConsumerState state, string version) = await log.ReadAsync("billing");
        Assert.Equal(racedVersion, version);
        Assert.Equal(events[1], state.Position);
    }

    [Fact]
    public async Task A_damaged_state_is_refused_and_only_force_replaces_it()
    {
        await using var log = new AdminStates();
        await log.AppendMinutesAsync(1);
        await log.Store.PutVersionedAsync(AdminStates.Key("billing"), "{\"format\":1"u8.ToArray(), PutMode.Overwrite, null);

        CorruptObjectException e = await Assert.ThrowsAsync<CorruptObjectException>(() => log.Log.ResetConsumerAsync("billing", LogConsumerStart.End));
        Assert.Contains(AdminStates.Key("billing"), e.Message, StringComparison.Ordinal);

        ConsumerInfo reset = await log.Log.ResetConsumerAsync("billing", LogConsumerStart.Beginning, force: true);
        Assert.Null(reset.Position);
        Assert.Equal("billing", (await log.ReadAsync("billing")).State.Consumer);
    }
}
