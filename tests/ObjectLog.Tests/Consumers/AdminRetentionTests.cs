namespace ObjectLog.Tests.Consumers;

public sealed class AdminRetentionTests
{
    [Fact]
    public async Task A_slow_consumer_holds_a_trim_and_the_result_says_where_and_by_whom()
    {
        await using var log = new AdminStates(new AppendLogOptions { RetentionRespectsConsumers = true, TailLookBack = TimeSpan.FromMinutes(1) });
        List<LogPosition> events = await log.AppendMinutesAsync(10); // 12:00 … 12:09
        await log.WriteAsync("fast", events[9]);
        await log.WriteAsync("slow", events[5]); // handled up to 12:05: may still read from 12:05 less the look-back and the naming bound

        TrimStats stats = await log.Log.TrimAsync(events[8].BatchTime);

        Assert.Equal("slow", stats.HeldBy);
        Assert.Equal(events[5].BatchTime - TimeSpan.FromMinutes(1) - Internal.StoreClock.NameBound - Internal.StoreClock.NameBound, stats.Before); // 12:03
        Assert.Equal(3, stats.HiddenBatches);
        Assert.Equal(events[3..], (await Log.Events.ToListAsync(log.Log.ReadEventsAsync())).Select(e => e.Position));
    }

    [Fact]
    public async Task A_consumer_that_starts_from_the_beginning_holds_everything()
    {
        await using var log = new AdminStates(new AppendLogOptions { RetentionRespectsConsumers = true });
        List<LogPosition> events = await log.AppendMinutesAsync(5);
        await log.WriteAsync("new", position: null);

        TrimStats stats = await log.Log.TrimAsync(events[4].BatchTime);

        Assert.Equal("new", stats.HeldBy);
        Assert.Equal(DateTimeOffset.UnixEpoch, stats.Before);
        Assert.Equal(0, stats.HiddenBatches);
        Assert.Equal(5, (await Log.Events.ToListAsync(log.Log.ReadEventsAsync())).Count);
    }

    [Fact]
    public async Task Consumers_ahead_of_the_cutoff_do_not_hold_it()
    {
        await using var log = new AdminStates(new AppendLogOptions { RetentionRespectsConsumers = true });
        List<LogPosition> events = await log.AppendMinutesAsync(10);
        await log.WriteAsync("fast", LogPosition.Before(events[9].BatchTime));

        TrimStats stats = await log.Log.TrimAsync(events[3].BatchTime);

        Assert.Null(stats.HeldBy);
        Assert.Equal(events[3].BatchTime, stats.Before);
        Assert.Equal(3, stats.HiddenBatches);
    }

    [Fact]
    public async Task Off_by_default_a_trim_passes_a_slow_consumer()
    {
        Assert.False(new AppendLogOptions().RetentionRespectsConsumers);
        await using var log = new AdminStates();
        List<LogPosition> events = await log.AppendMinutesAsync(10);
        await log.WriteAsync("slow", position: null);

        TrimStats stats = await log.Log.TrimAsync(events[8].BatchTime);

        Assert.Null(stats.HeldBy);
        Assert.Equal(events[8].BatchTime, stats.Before);
        Assert.Equal(8, stats.HiddenBatches);
    }

    [Fact]
    public async Task Automatic_retention_stops_at_the_slowest_consumer()
    {
        await using var log = new AdminStates(new AppendLogOptions
        {
            RetentionRespectsConsumers = true,
            Retention = TimeSpan.FromMinutes(2),
            AutoCompactionInterval = TimeSpan.FromMinutes(1),
            TailLookBack = TimeSpan.Zero,
        });
        await log.WriteAsync("slow", LogPosition.Before(log.Clock.GetUtcNow() + TimeSpan.FromMinutes(4))); // starts at the fifth event's time
        await log.AppendMinutesAsync(10); // one a minute, 12:00 to 12:09; each minute's tick applies retention
        log.Clock.Advance(TimeSpan.FromMinutes(1)); // unheld, it would now cut at 12:09
        List<string> kept = [];
        for (int i = 0; i < 200; i++)
        {
            kept = [.. Log.Events.Texts((await Log.Events.ToListAsync(log.Log.ReadEventsAsync())).Select(e => e.Data))];
            if (kept.Count > 0 && kept[0] == "e4")
            {
                break;
            }

            log.Clock.Advance(TimeSpan.FromMinutes(1)); // another tick, in case one was skipped while the last still ran: each is held alike
            await Task.Delay(10);
        }

        Assert.Equal(["e4", "e5", "e6", "e7", "e8", "e9"], kept);
    }
}
