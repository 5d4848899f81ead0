using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;

namespace ObjectLog.Tests.Log;

/// <summary>
/// A compaction that merges more than fits in memory spools to a spill file. A process killed mid-merge cannot
/// delete it, so spill files live in one folder, named for their process, where the next spill sweeps those whose
/// process is gone and <c>objlog verify</c> reports them.
/// </summary>
public sealed class SpillFileTests
{
    private static string SpillFolder => Path.Combine(Path.GetTempPath(), "objectlog-spill");

    [Fact]
    public async Task A_compaction_spills_into_the_swept_folder_under_a_name_that_says_which_process_owns_it()
    {
        var faulty = new FaultInjectingObjectStore(new InMemoryObjectStore());
        await using var log = new AppendLog(faulty, "events", new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan });
        byte[] big = new byte[512 * 1024];
        big.AsSpan().Fill((byte)'x');
        for (int i = 0; i < 72; i++) // 36 MiB: more than the 32 MiB a merge keeps in memory
        {
            await log.AppendAsync(big);
        }

        await log.FlushAsync();
        faulty.HoldPuts(); // the merged data's PUT waits, with the spill file full
        Task<CompactionStats> compaction = log.CompactAsync();
        string[] mine = [];
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            while (faulty.PutsInFlight == 0)
            {
                await Task.Delay(10, timeout.Token);
            }

            mine = Directory.Exists(SpillFolder) ? Directory.GetFiles(SpillFolder, $"objectlog-spill-{Environment.ProcessId}-*.tmp") : [];
        }
        finally
        {
            faulty.ReleasePuts();
        }

        Assert.NotNull((await compaction).NewKey);
        Assert.NotEmpty(mine);
        Assert.All(mine, f => Assert.False(File.Exists(f), f)); // deleted when the merge is done with it
    }
}
