using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>The request bill: <c>objectlog.requests</c> and <c>objectlog.request.bytes</c> against what the store itself saw.</summary>
public sealed class RequestMetricsTests
{
    [Fact]
    public async Task Every_request_of_writes_reads_tails_compaction_and_trim_is_counted_by_kind()
    {
        string prefix = $"bill-{Guid.NewGuid():N}/";
        using var totals = new MetricTotals(prefix);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var faulty = new FaultInjectingObjectStore(new InMemoryObjectStore(clock));
        AppendLogOptions options = Quiet(threshold: 2);
        options.TimeProvider = clock;
        options.SupersededGracePeriod = TimeSpan.Zero;
        await using (var log = new AppendLog(faulty, prefix, options))
        {
            for (int i = 0; i < 10; i++)
            {
                await log.AppendAsync(E($"event {i}"));
                clock.Advance(TimeSpan.FromSeconds(1));
            }

            faulty.FailNthCall(1, Fault.FailAfter); // a request that "timed out" after it was made is still billed
            await Assert.ThrowsAnyAsync<ObjectStoreException>(async () =>
            {
                await log.AppendAsync(E("late 1"));
                await log.AppendAsync(E("late 2"));
            });
            await log.FlushAsync();
            Assert.Equal(12, (await log.ReadAllAsync()).Count);
            Assert.Equal(4, (await ToListAsync(log.ReadEventsAsync(clock.GetUtcNow() - TimeSpan.FromSeconds(2)))).Count);
            using (var cts = new CancellationTokenSource())
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
                {
                    await foreach (LogEvent _ in log.TailAsync(null, cts.Token))
                    {
                        await cts.CancelAsync(); // one poll is enough
                    }
                });
            }

            await log.TrimAsync(clock.GetUtcNow() - TimeSpan.FromSeconds(5));
            await log.CompactAsync();
            Assert.Equal(["event 6", "event 7", "event 8", "event 9", "late 1", "late 2"], Texts(await log.ReadAllAsync()));
        }

        Assert.True(faulty.Puts > 6 && faulty.Gets > 6 && faulty.BulkDeletes > 0, "the scenario exercised every kind");
        Assert.Equal(faulty.Puts, totals["objectlog.requests", "put"]);
        Assert.Equal(faulty.Gets, totals["objectlog.requests", "get"]);
        Assert.Equal(faulty.ListPages, totals["objectlog.requests", "list"]);
        Assert.Equal(faulty.Deletes + faulty.BulkDeletes, totals["objectlog.requests", "delete"]);
        Assert.Equal(faulty.Calls, totals["objectlog.requests"]);
        Assert.Equal(faulty.BytesPut, totals["objectlog.request.bytes", "put"]);
    }

    [Fact]
    public async Task A_listing_counts_a_page_per_thousand_keys_and_a_read_counts_the_bytes_it_fetched()
    {
        string prefix = $"pages-{Guid.NewGuid():N}/";
        var memory = new InMemoryObjectStore();
        long stored = 0;
        for (int i = 0; i < 2_500; i++)
        {
            byte[] body = E($"event {i}\n");
            stored += body.Length;
            await memory.PutAsync($"{prefix}batch_{1_700_000_000_000_000 + i:D19}-{1:x16}-{i:D12}.jsonl", body);
        }

        using var totals = new MetricTotals(prefix);
        var faulty = new FaultInjectingObjectStore(memory);
        await using var log = new AppendLog(faulty, prefix, Quiet());
        Assert.Equal(2_500, (await log.ReadAllAsync()).Count);

        Assert.Equal(faulty.Lists + 2, faulty.ListPages); // the log's listing took 3 pages; the trim records' took 1
        Assert.Equal(faulty.ListPages, totals["objectlog.requests", "list"]);
        Assert.Equal(2_500, totals["objectlog.requests", "get"]);
        Assert.Equal(stored, totals["objectlog.request.bytes", "get"]);
        Assert.Equal(0, totals["objectlog.requests", "put"]);
    }

    [Fact]
    public async Task A_bulk_delete_counts_one_request_per_batch_of_keys_the_store_takes()
    {
        string prefix = $"deletes-{Guid.NewGuid():N}/";
        using var totals = new MetricTotals(prefix);
        var store = new MeteredObjectStore(new InMemoryObjectStore(), new("objectlog.prefix", prefix));
        string[] keys = Enumerable.Range(0, 5).Select(i => $"{prefix}k{i}").ToArray();
        await store.DeleteManyAsync(keys); // one by one: five requests
        await new MeteredObjectStore(new FaultInjectingObjectStore(new InMemoryObjectStore()), new("objectlog.prefix", prefix)).DeleteManyAsync(keys); // one request
        await store.DeleteManyAsync([]); // none

        Assert.Equal(6, totals["objectlog.requests", "delete"]);
    }
}
