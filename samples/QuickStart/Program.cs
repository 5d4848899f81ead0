using System.Text;
using ObjectLog;
using ObjectLog.Storage;

// Usage: dotnet run --project samples/QuickStart [folder]   (default: a new temporary folder)
string folder = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), $"objectlog-quickstart-{Guid.NewGuid():N}");

var store = new FileSystemObjectStore(folder);        // or InMemoryObjectStore, S3ObjectStore, AzureBlobObjectStore
await using var log = new AppendLog(store, "journals/errors", new AppendLogOptions { FlushThreshold = 32 });

await log.AppendAsync(Encoding.UTF8.GetBytes("""{"level":"error","msg":"disk full"}"""));   // in memory: fast
await log.FlushAsync();                                                                      // now it is stored: one PUT per batch

foreach (byte[] e in await log.ReadAllAsync())                                               // every stored batch in order, then the buffer
{
    Console.WriteLine(Encoding.UTF8.GetString(e));
}

CompactionStats stats = await log.CompactAsync(CompactionPolicy.SizeTiered()); // merge full tiers: O(log N) rewrites per byte
Console.WriteLine($"size-tiered compaction merged {stats.MergedObjects} object(s)");
await log.CompactAsync();                                                       // or everything into one; readers are unaffected either way

// Checkpoints: every stored event has a stable position that compaction does not change.
LogPosition? checkpoint = null;
await foreach (LogEvent e in log.ReadEventsAsync(checkpoint))
{
    checkpoint = e.Position;
}

Console.WriteLine($"checkpoint: {checkpoint}");
using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
try
{
    await foreach (LogEvent e in log.TailAsync(checkpoint, stop.Token))                      // follows new events until cancelled
    {
        Console.WriteLine($"new: {Encoding.UTF8.GetString(e.Data)}");
    }
}
catch (OperationCanceledException)
{
}

Console.WriteLine($"log stored in {store.RootDirectory}");
