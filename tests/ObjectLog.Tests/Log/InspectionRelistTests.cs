using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>The inspecting members list the log again when a compaction collects an object they listed before they read it.</summary>
public sealed class InspectionRelistTests
{
    private readonly InMemoryObjectStore _memory = new();

    [Fact]
    public async Task Counting_objects_lists_again_when_a_compaction_collects_a_manifest_it_listed()
    {
        await using var compactor = new AppendLog(_memory, "racing", new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, SupersededGracePeriod = TimeSpan.Zero });
        for (int i = 0; i < 10; i++)
        {
            await compactor.AppendAsync(E($"event {i}"));
            if (i == 4)
            {
                await compactor.CompactAsync(); // a merged object, then five batches after it
            }
        }

        var racing = new FaultInjectingObjectStore(_memory);

        // Between the listing and the GET of the merged object's manifest, a compaction supersedes and collects it.
        racing.BeforeNextCall((call, key) => call == StoreCall.Get, async () => await compactor.CompactAsync());
        await using var log = new AppendLog(racing, "racing", new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan, ReadPartBytes = 1 }); // every merged object needs its manifest

        Assert.Equal(1, await log.CountObjectsAsync());
        Assert.Equal(2, racing.Gets); // the vanished manifest, then the new one
    }
}
