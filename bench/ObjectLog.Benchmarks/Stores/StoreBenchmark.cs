using System.Globalization;
using System.Text;
using ObjectLog.Storage;
using ObjectLog.TestServers;

namespace ObjectLog.Benchmarks.Stores;

/// <summary>
/// ObjectLog against the bare SDK on real servers on loopback (Ceph RGW, s3rver, Azurite), and against the
/// filesystem store's own put loop on local disk, side by side in one
/// run: the two contenders alternate over several rounds (ABBA…) and each figure is the median, so a noisy
/// neighbour slows both alike and the ratio holds.
/// </summary>
/// <remarks>
/// Writing: N batches of 32 and of 4,096 events of ~200 bytes. The bare contender PUTs pre-built batch bodies
/// one after another; ObjectLog appends the same events with <c>FlushThreshold</c> set to the batch size, so it
/// makes the same PUTs, and pays for buffering and naming on top. Pipelined: the 32-event batches again, the bare
/// contender keeping 8 PUTs in flight and ObjectLog appending from 8 producers with its default
/// <c>MaxConcurrentPuts</c> (8). Reading: 1,000 batch objects read back by
/// <see cref="AppendLog.ReadAllAsync"/> against a bare list-then-get-each loop.
/// </remarks>
internal static class StoreBenchmark
{
    private const int PipelinedPuts = 8;
    private static readonly byte[] Event = SampleData.Event(182);

    public static async Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        var settings = quick ? Settings.Quick : Settings.Full;
        string[] servers = args.SkipWhile(a => a != "--servers").Skip(1).FirstOrDefault()?.Split(',') ?? ["filesystem", "ceph", "s3rver", "azurite"];
        Console.WriteLine($"# ObjectLog vs bare SDK on loopback servers ({(quick ? "quick" : "full")} run, {Environment.ProcessorCount} cores, event {Event.Length + 1} bytes)");
        Console.WriteLine();
        foreach (string server in servers)
        {
            ServerUnderTest target = await StartAsync(server);
            await using (target)
            {
                Report report = await MeasureAsync(target, settings);
                Console.WriteLine(report.ToMarkdown());
            }
        }

        return 0;
    }

    /// <summary>Measures one server; public to the smoke test.</summary>
    public static async Task<Report> MeasureAsync(ServerUnderTest target, Settings settings)
    {
        var report = new Report(target.Name, settings);
        await WarmUpAsync(target);
        foreach ((int batchSize, int batches, int inFlight) in new[] { (32, settings.Batches32, 1), (4096, settings.Batches4096, 1), (32, settings.Batches32, PipelinedPuts) })
        {
            byte[] body = SampleData.BatchBody(Event, batchSize);
            var bare = new List<double>();
            var log = new List<double>();
            for (int round = 0; round < settings.Rounds; round++)
            {
                // Alternate who goes first, so drift in the machine's load hurts both alike.
                foreach (bool bareFirst in round % 2 == 0 ? new[] { true, false } : new[] { false, true })
                {
                    string prefix = $"bench-{Guid.NewGuid():N}";
                    if (bareFirst)
                    {
                        bare.Add(await AlternatingRounds.TimeAsync(() => Parallel.ForEachAsync(
                            Enumerable.Range(0, batches),
                            new ParallelOptions { MaxDegreeOfParallelism = inFlight },
                            async (i, _) => await target.Bare.PutAsync($"{prefix}/batch_{i:D19}.jsonl", body))));
                    }
                    else
                    {
                        log.Add(await AlternatingRounds.TimeAsync(async () =>
                        {
                            // One at a time, batch sizes are exact; pipelined, the defaults (MaxConcurrentPuts, FlushThresholdBytes) decide.
                            AppendLogOptions options = inFlight == 1
                                ? new AppendLogOptions { FlushThreshold = batchSize, FlushThresholdBytes = 64 * 1024 * 1024, FlushInterval = Timeout.InfiniteTimeSpan }
                                : new AppendLogOptions { FlushThreshold = batchSize, FlushInterval = Timeout.InfiniteTimeSpan };
                            await using var appendLog = new AppendLog(target.Store, prefix, options);
                            await Producers.AppendAsync(appendLog, Event, producers: inFlight, batches * batchSize);
                            await appendLog.FlushAsync();
                        }));
                    }
                }
            }

            report.Writes.Add(new WriteRow(batchSize, batches, inFlight, body.Length, AlternatingRounds.Median(bare), AlternatingRounds.Median(log)));
        }

        report.Read = await MeasureReadAsync(target, settings);
        return report;
    }

    /// <summary>First requests pay for connections, JIT and (on Ceph) bucket setup: make them before measuring.</summary>
    private static async Task WarmUpAsync(ServerUnderTest target)
    {
        string prefix = $"bench-warmup-{Guid.NewGuid():N}";
        byte[] body = SampleData.BatchBody(Event, 32);
        await using var log = new AppendLog(target.Store, prefix, new AppendLogOptions { FlushThreshold = 32, FlushInterval = Timeout.InfiniteTimeSpan });
        for (int i = 0; i < 20; i++)
        {
            await target.Bare.PutAsync($"{prefix}/bare/{i}", body);
            await target.Bare.GetAsync($"{prefix}/bare/{i}");
            for (int j = 0; j < 32; j++)
            {
                await log.AppendAsync(Event);
            }
        }

        await log.ReadAllAsync();
        await target.Bare.ListAsync(prefix);
    }

    private static async Task<ReadRow> MeasureReadAsync(ServerUnderTest target, Settings settings)
    {
        string prefix = $"bench-read-{Guid.NewGuid():N}";
        const int eventsPerObject = 4;
        await SampleData.WriteSmallObjectsAsync(target.Store, prefix, Event, settings.ReadObjects, eventsPerObject);

        long bytes = 0;
        var bare = new List<double>();
        var log = new List<double>();
        for (int round = 0; round < settings.Rounds; round++)
        {
            log.Add(await AlternatingRounds.TimeAsync(async () =>
            {
                await using var reader = new AppendLog(target.Store, prefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan });
                int count = (await reader.ReadAllAsync()).Count;
                if (count != settings.ReadObjects * eventsPerObject)
                {
                    throw new InvalidOperationException($"read {count} events");
                }
            }));
            bare.Add(await AlternatingRounds.TimeAsync(async () =>
            {
                List<string> keys = await target.Bare.ListAsync(prefix + "/");
                keys.Sort(StringComparer.Ordinal);
                long total = 0;
                foreach (string key in keys)
                {
                    total += (await target.Bare.GetAsync(key)).Length;
                }

                bytes = total;
            }));
        }

        return new ReadRow(settings.ReadObjects, settings.ReadObjects * eventsPerObject, bytes, AlternatingRounds.Median(bare), AlternatingRounds.Median(log));
    }

    private static async Task<ServerUnderTest> StartAsync(string name)
    {
        Console.Error.WriteLine($"starting {name}…");
        switch (name)
        {
            case "filesystem":
                var directory = new TempFolder();
                var fs = new FileSystemObjectStore(directory.Path);
                return new ServerUnderTest("Filesystem (local disk, fsync)", fs, new BareClient.Store(fs), directory);
            case "ceph":
                CephRgwServer ceph = await CephRgwServer.StartAsync();
                return new ServerUnderTest("Ceph RGW (S3)", ceph.CreateStore(), new BareClient.S3(ceph.Client, ceph.BucketName), ceph);
            case "s3rver":
                S3rverServer s3rver = await S3rverServer.StartAsync();
                return new ServerUnderTest("s3rver (S3)", s3rver.CreateStore(), new BareClient.S3(s3rver.Client, S3rverServer.BucketName), s3rver);
            case "azurite":
                AzuriteServer azurite = await AzuriteServer.StartAsync();
                return new ServerUnderTest("Azurite (Azure Blob)", azurite.CreateStore(), new BareClient.Azure(azurite.Container), azurite);
            default:
                throw new ArgumentException($"unknown server '{name}' (filesystem, ceph, s3rver, azurite)");
        }
    }

    /// <summary>How much to do. Full: about a minute per server; quick: a few seconds, for the smoke test.</summary>
    public sealed record Settings(int Rounds, int Batches32, int Batches4096, int ReadObjects)
    {
        public static Settings Full { get; } = new(Rounds: 9, Batches32: 400, Batches4096: 40, ReadObjects: 1000);

        public static Settings Quick { get; } = new(Rounds: 2, Batches32: 10, Batches4096: 2, ReadObjects: 40);
    }

    public sealed record WriteRow(int BatchSize, int Batches, int InFlight, int BatchBytes, double BareSeconds, double LogSeconds)
    {
        public double BarePutsPerSecond => Batches / BareSeconds;

        public double LogPutsPerSecond => Batches / LogSeconds;

        /// <summary>ObjectLog's throughput as a fraction of the bare loop's (1.0 = as fast).</summary>
        public double Ratio => BareSeconds / LogSeconds;
    }

    public sealed record ReadRow(int Objects, int Events, long Bytes, double BareSeconds, double LogSeconds)
    {
        public double Ratio => BareSeconds / LogSeconds;
    }

    public sealed class Report(string server, Settings settings)
    {
        public string Server { get; } = server;

        public List<WriteRow> Writes { get; } = [];

        public ReadRow? Read { get; set; }

        public string ToMarkdown()
        {
            var md = new StringBuilder();
            var c = CultureInfo.InvariantCulture;
            md.AppendLine(c, $"## {Server}");
            md.AppendLine();
            md.AppendLine(c, $"Medians of {settings.Rounds} alternating rounds. Throughput ratio = ObjectLog ÷ bare (1.00 = as fast).");
            md.AppendLine();
            md.AppendLine("| write | bare PUTs/s | bare events/s | ObjectLog PUTs/s | ObjectLog events/s | MB/s (ObjectLog) | ratio |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (WriteRow w in Writes)
            {
                string inFlight = w.InFlight == 1 ? "" : $", {w.InFlight} in flight";
                md.AppendLine(c, $"| {w.Batches} batches of {w.BatchSize} events ({w.BatchBytes / 1024.0:F0} KiB){inFlight} | {w.BarePutsPerSecond:F0} | {w.BarePutsPerSecond * w.BatchSize:F0} | {w.LogPutsPerSecond:F0} | {w.LogPutsPerSecond * w.BatchSize:F0} | {w.LogPutsPerSecond * w.BatchBytes / 1e6:F1} | {w.Ratio:F2} |");
            }

            if (Read is { } r)
            {
                md.AppendLine();
                md.AppendLine("| read | bare list + GET each: objects/s | ObjectLog ReadAllAsync: objects/s | events/s (ObjectLog) | MB/s (ObjectLog) | ratio |");
                md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
                md.AppendLine(c, $"| {r.Objects} objects, {r.Events} events | {r.Objects / r.BareSeconds:F0} | {r.Objects / r.LogSeconds:F0} | {r.Events / r.LogSeconds:F0} | {r.Bytes / r.LogSeconds / 1e6:F1} | {r.Ratio:F2} |");
            }

            return md.ToString();
        }
    }
}

/// <summary>A started server, the ObjectLog store on it, and the bare SDK client for the same bucket or container.</summary>
internal sealed class ServerUnderTest(string name, IObjectStore store, BareClient bare, IAsyncDisposable server) : IAsyncDisposable
{
    public string Name { get; } = name;

    public IObjectStore Store { get; } = store;

    public BareClient Bare { get; } = bare;

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
