using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

public sealed class MetricsTests
{
    [Fact]
    public async Task Stored_batches_failures_and_the_queue_are_measured_per_log()
    {
        string prefix = $"metrics-{Guid.NewGuid():N}/";
        using var totals = new MetricTotals(prefix);
        var faulty = new FaultInjectingObjectStore(new InMemoryObjectStore());
        await using var log = new AppendLog(faulty, prefix, Plain(threshold: 2));
        await log.AppendAsync(E("a"));
        await log.AppendAsync(E("b"));
        faulty.FailWhen((call, _) => call == StoreCall.Put ? Fault.FailBefore : null);
        await log.AppendAsync(E("c"));
        await Assert.ThrowsAsync<InjectedFaultException>(async () => await log.AppendAsync(E("d")));
        Assert.Equal(4, totals["objectlog.buffer.pending_bytes"]); // "c\nd\n" waits
        faulty.FailWhen(null);
        await log.FlushAsync();
        await log.CompactAsync();

        Assert.Equal(2, totals["objectlog.batches.stored"]);
        Assert.Equal(4, totals["objectlog.events.stored"]);
        Assert.Equal(8, totals["objectlog.bytes.stored"]);
        Assert.Equal(1, totals["objectlog.flush.failures"]);
        Assert.Equal(0, totals["objectlog.buffer.pending_bytes"]);
        Assert.Equal(1, totals["objectlog.compactions"]);
    }
}
