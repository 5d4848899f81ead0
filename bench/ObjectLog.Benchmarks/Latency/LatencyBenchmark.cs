using System.Globalization;
using ObjectLog.Internal;
using ObjectLog.Storage;

namespace ObjectLog.Benchmarks.Latency;

/// <summary>
/// How well AppendLog hides a remote store's round trips: <see cref="InMemoryObjectStore"/> behind a
/// <see cref="LatencyObjectStore"/>, so the figures are set by how many round trips are waited for in a row, not by
/// the machine. Every figure is a ratio to a floor or ceiling that one-request-at-a-time code cannot beat.
/// </summary>
/// <remarks>
/// Writes: 16,000 events appended by one producer with <see cref="AppendLog.TryAppend"/> and by eight with
/// <see cref="AppendLog.AppendAsync"/> (and the same with <c>MaxConcurrentPuts = 1</c>), then flushed, at 20 ms a
/// request; the ceiling is one 32-event batch per round trip. Reads: 1,000 four-event objects read by
/// <see cref="AppendLog.ReadAllAsync"/> at 5 and 20 ms, against 1,001 round trips (one LIST, one GET per object)
/// and against an actual list-then-GET loop. Compaction: <see cref="AppendLog.CompactAsync(CancellationToken)"/>
/// of 1,000 small objects at 20 ms, with the requests it makes. All with the default compression (Zstd); the eight
/// producers, the one producer and the read at 20 ms are also run with <see cref="LogCompression.None"/>, for the bytes moved.
/// </remarks>
internal static class LatencyBenchmark
{
    private const string Prefix = "bench";
    private const int EventsPerSmallObject = 4;
    private static readonly TimeSpan WriteLatency = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan CompactionLatency = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan[] ReadLatencies = [TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(20)];
    private static readonly byte[] Event = SampleData.Event(200);

    public static async Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        Settings settings = quick ? Settings.Quick : Settings.Full;
        var defaults = new AppendLogOptions();
        Console.WriteLine($"# ObjectLog over a store with injected latency ({(quick ? "quick" : "full")} run, {Environment.ProcessorCount} cores, event {Event.Length + 1} bytes)");
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"Defaults: FlushThreshold {defaults.FlushThreshold}, MaxConcurrentPuts {defaults.MaxConcurrentPuts}, ReadConcurrency {defaults.ReadConcurrency}, ReadAheadBytes {defaults.ReadAheadBytes / (1024 * 1024)} MiB, Compression {defaults.Compression} (every row but those marked None). Medians of {settings.Rounds} alternating round(s)."));
        Console.WriteLine();
        await WarmUpAsync();

        List<WriteRow> writes = await MeasureWritesAsync(settings);
        double ceiling = defaults.FlushThreshold / WriteLatency.TotalSeconds;
        PrintWrites(writes, ceiling);

        var reads = new List<ReadRow>();
        foreach (TimeSpan latency in ReadLatencies)
        {
            reads.Add(await MeasureReadAsync(settings, latency, defaults.Compression));
        }

        ReadRow plainRead = await MeasureReadAsync(settings, WriteLatency, LogCompression.None);
        PrintReads(reads);
        CompactionRow compaction = await MeasureCompactionAsync(settings);
        PrintCompaction(compaction);

        WriteRow eightProducers = writes.Single(w => w.Workload == Workload.EightProducers && w.MaxConcurrentPuts == defaults.MaxConcurrentPuts && w.Compression == defaults.Compression);
        ReadRow slowRead = reads.Single(r => r.Latency == WriteLatency);
        PrintCompression(
            writes.Where(w => w.MaxConcurrentPuts == defaults.MaxConcurrentPuts && w.Compression == defaults.Compression)
                .Select(w => (w, writes.Single(p => p.Workload == w.Workload && p.MaxConcurrentPuts == w.MaxConcurrentPuts && p.Compression == LogCompression.None))),
            slowRead,
            plainRead);
        var done = new DoneMeans(quick);
        done.Check($"8 producers, AppendAsync, at 20 ms, {defaults.Compression}: {eightProducers.EventsPerSecond / ceiling:F2}× the one-PUT-at-a-time ceiling", eightProducers.EventsPerSecond / ceiling, 6);
        done.Check($"{slowRead.Objects} objects read at 20 ms, {defaults.Compression}: {slowRead.RatioToFloor:F1}× faster than one GET at a time", slowRead.RatioToFloor, 30);
        done.Print();
        return 0;
    }

    /// <summary>JIT and first-use costs land here, not on the first contender.</summary>
    private static async Task WarmUpAsync()
    {
        var store = new LatencyObjectStore(new InMemoryObjectStore(), TimeSpan.FromMilliseconds(1));
        await SampleData.WriteSmallObjectsAsync(store, Prefix, Event, 20, EventsPerSmallObject);
        await using var log = new AppendLog(store, Prefix);
        await log.ReadAllAsync();
        await log.CompactAsync();
    }

    private static async Task<List<WriteRow>> MeasureWritesAsync(Settings settings)
    {
        var defaults = new AppendLogOptions();
        (Workload Workload, int MaxConcurrentPuts, LogCompression Compression)[] contenders =
        [
            (Workload.OneProducerTryAppend, defaults.MaxConcurrentPuts, defaults.Compression),
            (Workload.EightProducers, defaults.MaxConcurrentPuts, defaults.Compression),
            (Workload.EightProducers, 1, defaults.Compression),
            (Workload.EightProducers, defaults.MaxConcurrentPuts, LogCompression.None),
            (Workload.OneProducerTryAppend, defaults.MaxConcurrentPuts, LogCompression.None),
        ];
        List<WriteSample>[] samples = await AlternatingRounds.RunAsync(
            settings.Rounds,
            contenders.Select(c => (Func<Task<WriteSample>>)(() => WriteAsync(c.Workload, c.MaxConcurrentPuts, c.Compression, settings.WriteEvents))).ToArray());
        return contenders.Select((c, i) => new WriteRow(c.Workload, c.MaxConcurrentPuts, c.Compression, settings.WriteEvents, AlternatingRounds.MedianSample(samples[i], s => s.Seconds))).ToList();
    }

    private static async Task<WriteSample> WriteAsync(Workload workload, int maxConcurrentPuts, LogCompression compression, int events)
    {
        var store = new LatencyObjectStore(new InMemoryObjectStore(), WriteLatency);
        int retries = 0;
        double seconds;
        await using (var log = new AppendLog(store, Prefix, new AppendLogOptions { MaxConcurrentPuts = maxConcurrentPuts, Compression = compression }))
        {
            seconds = await AlternatingRounds.TimeAsync(async () =>
            {
                if (workload == Workload.OneProducerTryAppend)
                {
                    for (int i = 0; i < events; i++)
                    {
                        while (!log.TryAppend(Event))
                        {
                            retries++;
                            await Task.Delay(1); // the buffer is full: give the PUTs in flight a moment
                        }
                    }
                }
                else
                {
                    await Producers.AppendAsync(log, Event, producers: 8, events);
                }

                await log.FlushAsync();
            });
        }

        await ExpectEventsAsync(store.Inner, events);
        return new WriteSample(seconds, store.Requests, retries, store.PutBytes);
    }

    private static async Task<ReadRow> MeasureReadAsync(Settings settings, TimeSpan latency, LogCompression compression)
    {
        var store = new LatencyObjectStore(new InMemoryObjectStore(), latency);
        await SampleData.WriteSmallObjectsAsync(store.Inner, Prefix, Event, settings.ReadObjects, EventsPerSmallObject, compression);

        List<TimedSample> log = (await AlternatingRounds.RunAsync(settings.Rounds, () => ReadWithAppendLogAsync(store, settings.ReadObjects)))[0];

        // The loop takes 1,001 round trips in a row (20 s at 20 ms), so it runs once: it checks the computed floor, which the ratio uses.
        TimedSample loop = await ReadOneAtATimeAsync(store, settings.ReadObjects);
        return new ReadRow(latency, compression, settings.ReadObjects, loop.Seconds, AlternatingRounds.MedianSample(log, s => s.Seconds));
    }

    private static async Task<TimedSample> ReadWithAppendLogAsync(LatencyObjectStore store, int objects)
    {
        RequestCounts before = store.Requests;
        long bytesBefore = store.GetBytes;
        await using var reader = new AppendLog(store, Prefix);
        int count = 0;
        double seconds = await AlternatingRounds.TimeAsync(async () => count = (await reader.ReadAllAsync()).Count);
        Expect(count, objects * EventsPerSmallObject);
        return new TimedSample(seconds, store.Requests - before, store.GetBytes - bytesBefore);
    }

    private static async Task<TimedSample> ReadOneAtATimeAsync(LatencyObjectStore store, int objects)
    {
        RequestCounts before = store.Requests;
        long bytesBefore = store.GetBytes;
        int count = 0;
        double seconds = await AlternatingRounds.TimeAsync(async () =>
        {
            foreach (ObjectMeta meta in await store.ListSortedAsync(Prefix + "/"))
            {
                // Decoded as its name says (the library's own codec), so a compressed batch's events are counted, not its bytes.
                await using Stream decoded = FrameCodec.Decoding(await store.GetAsync(meta.Key), LogObjectName.EncodingOfData(meta.Key));
                using var body = new MemoryStream();
                await decoded.CopyToAsync(body);
                count += body.GetBuffer().AsSpan(0, (int)body.Length).Count((byte)'\n');
            }
        });
        Expect(count, objects * EventsPerSmallObject);
        return new TimedSample(seconds, store.Requests - before, store.GetBytes - bytesBefore);
    }

    private static async Task<CompactionRow> MeasureCompactionAsync(Settings settings)
    {
        List<TimedSample> samples = (await AlternatingRounds.RunAsync(settings.Rounds, async () =>
        {
            var store = new LatencyObjectStore(new InMemoryObjectStore(), CompactionLatency);
            await SampleData.WriteSmallObjectsAsync(store.Inner, Prefix, Event, settings.ReadObjects, EventsPerSmallObject);
            await using var log = new AppendLog(store, Prefix);
            double seconds = await AlternatingRounds.TimeAsync(() => log.CompactAsync());
            await ExpectEventsAsync(store.Inner, settings.ReadObjects * EventsPerSmallObject);
            return new TimedSample(seconds, store.Requests, store.GetBytes);
        }))[0];
        return new CompactionRow(settings.ReadObjects, AlternatingRounds.MedianSample(samples, s => s.Seconds));
    }

    /// <summary>A fast figure from a run that lost events would be worthless: check, straight from the store.</summary>
    private static async Task ExpectEventsAsync(IObjectStore store, int events)
    {
        await using var check = new AppendLog(store, Prefix);
        Expect((await check.ReadAllAsync()).Count, events);
    }

    private static void Expect(int actual, int expected)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"expected {expected} events, found {actual}");
        }
    }

    private static void PrintWrites(List<WriteRow> rows, double ceiling)
    {
        Console.WriteLine(FormattableString.Invariant($"## Writes at {WriteLatency.TotalMilliseconds:F0} ms per request"));
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"Ceiling for one PUT at a time: one {new AppendLogOptions().FlushThreshold}-event batch per round trip = {ceiling:F0} events/s."));
        Console.WriteLine();
        Console.WriteLine("| write | MaxConcurrentPuts | compression | events | seconds | events/s | × ceiling | PUTs | events/PUT | TryAppend retries |");
        Console.WriteLine("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (WriteRow w in rows)
        {
            string retries = w.Workload == Workload.OneProducerTryAppend ? w.Sample.Retries.ToString(CultureInfo.InvariantCulture) : "–";
            Console.WriteLine(FormattableString.Invariant($"| {Describe(w.Workload)} | {w.MaxConcurrentPuts} | {w.Compression} | {w.Events} | {w.Sample.Seconds:F2} | {w.EventsPerSecond:F0} | {w.EventsPerSecond / ceiling:F2} | {w.Sample.Requests.Puts} | {(double)w.Events / w.Sample.Requests.Puts:F1} | {retries} |"));
        }

        Console.WriteLine();
    }

    private static void PrintReads(List<ReadRow> rows)
    {
        Console.WriteLine(FormattableString.Invariant($"## Reads of {rows[0].Objects} objects of {EventsPerSmallObject} events"));
        Console.WriteLine();
        Console.WriteLine("Floor = one LIST and one GET per object, one at a time: (objects + 1) × latency. × floor = floor ÷ ObjectLog time.");
        Console.WriteLine();
        Console.WriteLine("| latency | floor (s) | list + GET loop, measured (s) | ObjectLog ReadAllAsync (s) | × floor | × measured loop | ObjectLog GETs | ObjectLog LISTs |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (ReadRow r in rows)
        {
            Console.WriteLine(FormattableString.Invariant($"| {r.Latency.TotalMilliseconds:F0} ms | {r.FloorSeconds:F2} | {r.LoopSeconds:F2} | {r.Log.Seconds:F3} | {r.RatioToFloor:F1} | {r.LoopSeconds / r.Log.Seconds:F1} | {r.Log.Requests.Gets} | {r.Log.Requests.Lists} |"));
        }

        Console.WriteLine();
    }

    /// <summary>The default compression against None, side by side at 20 ms: what the store is sent and returns, and the time it takes.</summary>
    private static void PrintCompression(IEnumerable<(WriteRow Write, WriteRow Plain)> writes, ReadRow read, ReadRow plainRead)
    {
        Console.WriteLine(FormattableString.Invariant($"## Compression at {WriteLatency.TotalMilliseconds:F0} ms per request: {read.Compression} against None"));
        Console.WriteLine();
        Console.WriteLine("These events are all alike (a padded error line), so they compress far better than log entries do (`compression` measures those); the byte ratios here say what is moved, not what to expect of real logs. The latency store adds no time per byte.");
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"| workload | bytes moved, {read.Compression} | bytes moved, None | bytes: {read.Compression} ÷ None | seconds, {read.Compression} | seconds, None | time: {read.Compression} ÷ None |"));
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach ((WriteRow write, WriteRow plainWrite) in writes)
        {
            Console.WriteLine(FormattableString.Invariant($"| {Describe(write.Workload)}, {write.Events} events (PUT bytes) | {write.Sample.PutBytes:N0} | {plainWrite.Sample.PutBytes:N0} | {(double)write.Sample.PutBytes / plainWrite.Sample.PutBytes:F3} | {write.Sample.Seconds:F2} | {plainWrite.Sample.Seconds:F2} | {write.Sample.Seconds / plainWrite.Sample.Seconds:F2} |"));
        }

        Console.WriteLine(FormattableString.Invariant($"| ReadAllAsync of {read.Objects} objects of {EventsPerSmallObject} events (GET bytes) | {read.Log.GetBytes:N0} | {plainRead.Log.GetBytes:N0} | {(double)read.Log.GetBytes / plainRead.Log.GetBytes:F3} | {read.Log.Seconds:F3} | {plainRead.Log.Seconds:F3} | {read.Log.Seconds / plainRead.Log.Seconds:F2} |"));
        Console.WriteLine();
    }

    private static void PrintCompaction(CompactionRow row)
    {
        RequestCounts r = row.Sample.Requests;
        Console.WriteLine(FormattableString.Invariant($"## Compaction at {CompactionLatency.TotalMilliseconds:F0} ms per request"));
        Console.WriteLine();
        Console.WriteLine("| compaction | seconds | round trips' worth (seconds ÷ latency) | PUT | GET | DELETE | LIST |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine(FormattableString.Invariant($"| CompactAsync() of {row.Objects} objects of {EventsPerSmallObject} events | {row.Sample.Seconds:F2} | {row.Sample.Seconds / CompactionLatency.TotalSeconds:F0} | {r.Puts} | {r.Gets} | {r.Deletes} | {r.Lists} |"));
        Console.WriteLine();
    }

    private static string Describe(Workload workload) => workload switch
    {
        Workload.OneProducerTryAppend => "1 producer, TryAppend, then FlushAsync",
        _ => "8 producers, AppendAsync, then FlushAsync",
    };

    private enum Workload
    {
        OneProducerTryAppend,
        EightProducers,
    }

    /// <summary>How much to do. Full: 16,000 events and 1,000 objects; quick: a tenth, one round, for CI.</summary>
    private sealed record Settings(int Rounds, int WriteEvents, int ReadObjects)
    {
        public static Settings Full { get; } = new(Rounds: 3, WriteEvents: 16_000, ReadObjects: 1_000);

        public static Settings Quick { get; } = new(Rounds: 1, WriteEvents: 1_600, ReadObjects: 100);
    }

    private sealed record WriteSample(double Seconds, RequestCounts Requests, int Retries, long PutBytes);

    private sealed record TimedSample(double Seconds, RequestCounts Requests, long GetBytes);

    private sealed record WriteRow(Workload Workload, int MaxConcurrentPuts, LogCompression Compression, int Events, WriteSample Sample)
    {
        public double EventsPerSecond => Events / Sample.Seconds;
    }

    private sealed record ReadRow(TimeSpan Latency, LogCompression Compression, int Objects, double LoopSeconds, TimedSample Log)
    {
        public double FloorSeconds => (Objects + 1) * Latency.TotalSeconds;

        public double RatioToFloor => FloorSeconds / Log.Seconds;
    }

    private sealed record CompactionRow(int Objects, TimedSample Sample);
}
