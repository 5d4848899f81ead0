using System.Text;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Consumers;

public sealed class AdminListTests
{
    [Fact]
    public async Task Each_consumer_is_listed_in_name_order_with_its_position_owner_lease_and_lag()
    {
        await using var log = new AdminStates();
        List<LogPosition> events = await log.AppendMinutesAsync(3); // batches at 12:00, 12:01, 12:02
        await log.WriteAsync("billing", events[0], owner: "host-a/41");
        DateTimeOffset billingStored = log.Clock.GetUtcNow();
        log.Clock.Advance(TimeSpan.FromSeconds(5));
        await log.WriteAsync("audit", position: null);
        await log.WriteAsync("mail", LogPosition.Before(log.Clock.GetUtcNow())); // a time after the newest batch
        await log.Store.PutAsync(AdminStates.Prefix + "/_consumers/README.txt", new MemoryStream("not a state"u8.ToArray()), PutMode.Overwrite); // not a consumer's name: ignored

        IReadOnlyList<ConsumerInfo> consumers = await log.Log.ListConsumersAsync();

        Assert.Equal(["audit", "billing", "mail"], consumers.Select(c => c.Name));
        ConsumerInfo audit = consumers[0], billing = consumers[1], mail = consumers[2];
        Assert.Null(audit.Position);
        Assert.Equal(TimeSpan.FromMinutes(2), audit.Lag); // behind everything: the newest batch less the oldest
        Assert.Null(audit.Owner);
        Assert.Null(audit.LeaseExpires);
        Assert.Null(audit.EventsBehind); // not counted: that would read the log

        Assert.Equal(events[0], billing.Position);
        Assert.Equal("host-a/41", billing.Owner);
        Assert.Equal(billingStored, billing.StoredAt);
        Assert.Equal(billingStored + TimeSpan.FromSeconds(30), billing.LeaseExpires); // the store's stamp plus the lease
        Assert.Equal(TimeSpan.FromMinutes(2), billing.Lag);
        Assert.Equal(billingStored, billing.CommittedAt);

        Assert.Equal(TimeSpan.Zero, mail.Lag);
        Assert.Equal(0, mail.EventsBehind);
    }

    [Fact]
    public async Task A_consumer_that_handled_the_newest_batch_has_no_lag()
    {
        await using var log = new AdminStates();
        List<LogPosition> events = await log.AppendMinutesAsync(2);
        await log.WriteAsync("done", events[^1]);
        await log.WriteAsync("behind", events[0]);

        IReadOnlyList<ConsumerInfo> consumers = await log.Log.ListConsumersAsync();

        Assert.Equal(TimeSpan.FromMinutes(1), consumers.Single(c => c.Name == "behind").Lag);
        Assert.Equal(TimeSpan.Zero, consumers.Single(c => c.Name == "done").Lag);
    }

    [Fact]
    public async Task On_an_empty_log_lag_is_unknown_and_nothing_is_behind()
    {
        await using var log = new AdminStates();
        Assert.Empty(await log.Log.ListConsumersAsync());
        await log.WriteAsync("early", position: null);

        ConsumerInfo early = Assert.Single(await log.Log.ListConsumersAsync());

        Assert.Null(early.Lag);
        Assert.Equal(0, early.EventsBehind);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"format\":2,\"consumer\":\"billing\",\"epoch\":0,\"lease_ms\":30000}")]
    [InlineData("{\"format\":1,\"consumer\":\"someone-else\",\"epoch\":0,\"lease_ms\":30000}")]
    public async Task A_damaged_state_fails_the_listing_with_its_key_named_rather_than_hide_the_consumer(string content)
    {
        await using var log = new AdminStates();
        await log.WriteAsync("audit", position: null);
        await log.Store.PutVersionedAsync(AdminStates.Key("billing"), Encoding.UTF8.GetBytes(content), PutMode.Overwrite, null);

        CorruptObjectException e = await Assert.ThrowsAsync<CorruptObjectException>(() => log.Log.ListConsumersAsync());

        Assert.Contains(AdminStates.Key("billing"), e.Message, StringComparison.Ordinal);
    }

}
