using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>
/// The model-based fault test's stalled PUT (<see cref="AppendLogModel"/>): the trim it runs during the stall belongs
/// to the operation that armed it, so the stall must happen inside that operation's own flush. Scripted, so the
/// interleaving that once made the model expect a trim to hide batches stored before it ran is not left to chance.
/// </summary>
public sealed class ModelStallTests
{
    [Fact]
    public async Task A_stall_armed_for_a_writers_flush_does_not_fire_in_another_instances_put_still_in_flight()
    {
        var store = new FaultInjectingObjectStore(new InMemoryObjectStore());
        await using var other = new AppendLog(store, "stall", Quiet(threshold: 3)); // a crashed writer whose batch is still being stored
        await using var writer = new AppendLog(store, "stall", Quiet(threshold: 3));
        store.HoldPuts();
        for (int i = 0; i < 3; i++)
        {
            Assert.True(other.TryAppend(E($"other-{i}"))); // the third seals the batch: its PUT starts, and waits
        }

        await WaitUntilAsync(() => store.PutsInFlight == 1);
        int stalls = 0;
        AppendLogModel.StallBatchPutOfFlush(store, () =>
        {
            stalls++;
            return Task.CompletedTask;
        });
        store.ReleasePuts();
        await other.FlushAsync(); // its PUT has gone through the store
        Assert.Equal(0, stalls);

        await writer.AppendAsync(E("mine"));
        await AppendLogModel.FlushStalledAsync(writer);
        Assert.Equal(1, stalls);
        Assert.Equal(["mine", "other-0", "other-1", "other-2"], Texts(await writer.ReadAllAsync()).Order(StringComparer.Ordinal));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 2000 && !condition(); i++)
        {
            await Task.Delay(5);
        }

        Assert.True(condition(), "timed out");
    }
}
