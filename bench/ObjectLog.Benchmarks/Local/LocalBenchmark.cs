using ObjectLog.Storage;

namespace ObjectLog.Benchmarks.Local;

/// <summary>
/// ObjectLog on local disk (<see cref="FileSystemObjectStore"/>) against FASTER's FasterLog, a naive
/// file-per-batch loop and a bare fsync'd sequential write, all in one temporary folder on one disk, alternating
/// round by round; figures are medians and the ratios are throughput ratios (above 1: ObjectLog is faster).
/// </summary>
/// <remarks>
/// Durable append: 10^6 events of 200 bytes (quick: 10^5), stored in batches of 4,096, each batch on disk before
/// the next one counts. Full read: those events read back into a <c>List&lt;byte[]&gt;</c>. Append to memory: the
/// same events appended where nothing reaches a disk. ObjectLog's rows use the default compression (Zstd) unless they
/// say Compression None.
/// </remarks>
internal static class LocalBenchmark
{
    private const int BatchEvents = 4096;
    private const string Prefix = "log";
    private const string UncheckedPrefix = "unchecked";
    private static readonly byte[] Event = SampleData.Event(200);

    public static async Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        Settings settings = quick ? Settings.Quick : Settings.Full;
        Console.WriteLine($"# ObjectLog vs FasterLog and plain files on local disk ({(quick ? "quick" : "full")} run, {Environment.ProcessorCount} cores, {settings.Events:N0} events of {Event.Length + 1} bytes, batches of {BatchEvents:N0}, medians of {settings.Rounds} alternating rounds)");
        Console.WriteLine();
        await using var root = new TempFolder();
        Directory.CreateDirectory(root.Path);
        Console.WriteLine($"Folder: {root.Path}");
        Console.WriteLine();

        // JIT and first-use costs (FASTER's device, the store's staging folder) land here, not on a measured round.
        await MeasureDurableAppendAsync(root.Path, new Settings(1, BatchEvents * 2));
        await MeasureReadAsync(root.Path, new Settings(1, BatchEvents * 2));
        await MeasureMemoryAppendAsync(root.Path, new Settings(1, BatchEvents * 2));

        List<Row> durable = await MeasureDurableAppendAsync(root.Path, settings);
        (List<Row> read, List<Row> counted) = await MeasureReadAsync(root.Path, settings);
        List<Row> memory = await MeasureMemoryAppendAsync(root.Path, settings);
        Print($"Durable append: {settings.Events:N0} events, stored in batches of {BatchEvents:N0}", durable, settings.Events);
        Print($"Full read of those {settings.Events:N0} events into a List<byte[]>", read, settings.Events);
        Print($"Streamed read of those {settings.Events:N0} events, counted, none kept", counted, settings.Events);
        Print($"Append to memory: {settings.Events:N0} events, nothing stored", memory, settings.Events);

        var done = new DoneMeans(quick);
        done.Check($"full read: {read[0].RatioTo(read[1]):F2}× FasterLog's scan", read[0].RatioTo(read[1]), 1.0);
        done.Check($"streamed read, counted: {counted[0].RatioTo(counted[1]):F2}× FasterLog's discarding scan", counted[0].RatioTo(counted[1]), 1.0);
        done.Check($"durable append: {durable[0].RatioTo(durable[1]):F2}× FasterLog", durable[0].RatioTo(durable[1]), 2.0);
        done.Check($"durable append: {durable[0].RatioTo(durable[2]):F2}× the naive loop", durable[0].RatioTo(durable[2]), 1.0);
        done.Check($"full read, Compression None: {read[4].RatioTo(read[1]):F2}× FasterLog's scan", read[4].RatioTo(read[1]), 1.0);
        done.Check($"durable append, Compression None: {durable[5].RatioTo(durable[1]):F2}× FasterLog", durable[5].RatioTo(durable[1]), 2.0);
        done.Print();
        return 0;
    }

    private static async Task<List<Row>> MeasureDurableAppendAsync(string root, Settings settings)
    {
        List<double>[] samples = await AlternatingRounds.RunAsync(
            settings.Rounds,
            () => InFreshFolderAsync(root, folder => AppendLogDurablyAsync(folder, settings.Events, pipelined: true)),
            () => InFreshFolderAsync(root, async folder =>
            {
                using FasterLogContender faster = FasterLogContender.OnDisk(folder);
                return await AlternatingRounds.TimeAsync(() => faster.AppendDurablyAsync(Event, settings.Events, BatchEvents));
            }),
            () => InFreshFolderAsync(root, folder => Task.FromResult(AlternatingRounds.Time(() => BatchFiles.Write(folder, Event, settings.Events, BatchEvents)))),
            () => InFreshFolderAsync(root, folder => Task.FromResult(AlternatingRounds.Time(() => SequentialFile.Write(folder, Event, settings.Events, BatchEvents)))),
            () => InFreshFolderAsync(root, folder => AppendLogDurablyAsync(folder, settings.Events, pipelined: false)),
            () => InFreshFolderAsync(root, folder => AppendLogDurablyAsync(folder, settings.Events, pipelined: true, LogCompression.None)));
        return Rows(
            samples,
            "ObjectLog: TryAppend per event (AppendAsync when full), FlushAsync at the end; batches of 4,096 stored 8 at a time (default compression, Zstd)",
            "FasterLog: Enqueue per event, CommitAsync per 4,096",
            "Naive loop: per batch, build its bytes, write a new file, fsync",
            "Sequential write: one file, append each batch, fsync per batch",
            "ObjectLog, one batch at a time: AppendAsync per event (the append that fills a batch waits for it)",
            "ObjectLog with Compression None: as the first row, batches stored as plain JSON Lines");
    }

    /// <summary>
    /// The full read (every event kept) and the streamed read (every event counted, then dropped), from the same
    /// data in the same run, each table in alternating rounds of its own.
    /// </summary>
    private static async Task<(List<Row> Kept, List<Row> Counted)> MeasureReadAsync(string root, Settings settings)
    {
        string logFolder = NewFolder(root);
        string fasterFolder = NewFolder(root);
        string filesFolder = NewFolder(root);
        string plainFolder = NewFolder(root);
        try
        {
            var store = new FileSystemObjectStore(logFolder);
            var plainStore = new FileSystemObjectStore(plainFolder);
            await AppendLogDurablyAsync(logFolder, settings.Events, pipelined: true);
            await AppendLogDurablyAsync(plainFolder, settings.Events, pipelined: true, LogCompression.None);
            Console.WriteLine(FormattableString.Invariant($"{settings.Events:N0} events stored for the read: {FolderBytes(logFolder) / 1e6:F2} MB with Zstd, {FolderBytes(plainFolder) / 1e6:F2} MB with Compression None (this benchmark's events are all alike, so they compress far better than log entries do: see `compression`)."));
            Console.WriteLine();
            using FasterLogContender faster = FasterLogContender.OnDisk(fasterFolder);
            await faster.AppendDurablyAsync(Event, settings.Events, BatchEvents);
            BatchFiles.Write(filesFolder, Event, settings.Events, BatchEvents);
            CopyWithoutChecksums(Path.Combine(plainFolder, Prefix), Path.Combine(plainFolder, UncheckedPrefix)); // a compressed batch always carries its checksum

            List<double>[] samples = await AlternatingRounds.RunAsync(
                settings.Rounds,
                () => ReadAllTimedAsync(store, Prefix, settings.Events),
                () => Task.FromResult(TimeCounted(faster.ReadAll, settings.Events)),
                () => Task.FromResult(TimeCounted(() => BatchFiles.Read(filesFolder), settings.Events)),
                () => ReadAllTimedAsync(plainStore, UncheckedPrefix, settings.Events),
                () => ReadAllTimedAsync(plainStore, Prefix, settings.Events));

            // Rounds of their own: after a read that kept 10^6 arrays the collector shrinks the heap, and whoever
            // runs next pays to grow it again, so the streamed reads alternate only among themselves. Uncompressed,
            // as their goal says.
            List<double>[] counted = await AlternatingRounds.RunAsync(
                settings.Rounds,
                () => CountTimedAsync(plainStore, settings.Events, static log => log.ReadAsync()),
                () => Task.FromResult(TimeCounted(faster.Count, settings.Events)),
                () => CountTimedAsync(plainStore, settings.Events, static log => log.ReadEventsAsync()));
            return (
                Rows(samples, "ObjectLog: ReadAllAsync (batches stored with the default compression, Zstd)", "FasterLog: Scan, GetNext(out byte[] …) per entry", "Naive: list the files, read each, split lines",
                    "ObjectLog: ReadAllAsync of the Compression None batches named without checksums (read unchecked)",
                    "ObjectLog: ReadAllAsync of batches stored with Compression None"),
                Rows(counted, "ObjectLog: await foreach over ReadAsync (Compression None), counting", "FasterLog: Scan, GetNext(out byte[] …) per entry, counting (each entry dropped)",
                    "ObjectLog: await foreach over ReadEventsAsync (events with positions, Compression None), counting"));
        }
        finally
        {
            foreach (string folder in new[] { logFolder, fasterFolder, filesFolder, plainFolder })
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static async Task<double> ReadAllTimedAsync(FileSystemObjectStore store, string prefix, int events)
    {
        await using var log = new AppendLog(store, prefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan });
        int count = 0;
        double seconds = await AlternatingRounds.TimeAsync(async () => count = (await log.ReadAllAsync()).Count);
        return Checked(seconds, count, events);
    }

    /// <summary>Reads the whole log through <paramref name="read"/>, counting events without keeping any.</summary>
    private static async Task<double> CountTimedAsync<T>(FileSystemObjectStore store, int events, Func<AppendLog, IAsyncEnumerable<T>> read)
    {
        await using var log = new AppendLog(store, Prefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan });
        int count = 0;
        double seconds = await AlternatingRounds.TimeAsync(async () =>
        {
            await foreach (T _ in read(log))
            {
                count++;
            }
        });
        return Checked(seconds, count, events);
    }

    /// <summary>The batch files as a log written before checksums (and compression) names them: the same bytes, no <c>.c{crc}</c>, so read unchecked.</summary>
    private static void CopyWithoutChecksums(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from, "batch_*.jsonl"))
        {
            string name = System.Text.RegularExpressions.Regex.Replace(Path.GetFileName(file), @"\.c[0-9a-f]{8}\.jsonl$", ".jsonl");
            File.Copy(file, Path.Combine(to, name));
        }
    }

    private static async Task<List<Row>> MeasureMemoryAppendAsync(string root, Settings settings)
    {
        List<double>[] samples = await AlternatingRounds.RunAsync(
            settings.Rounds,
            async () =>
            {
                await using var log = new AppendLog(new DiscardingObjectStore(), Prefix, new AppendLogOptions { FlushThreshold = BatchEvents, FlushInterval = Timeout.InfiniteTimeSpan });
                return await AlternatingRounds.TimeAsync(async () =>
                {
                    for (int i = 0; i < settings.Events; i++)
                    {
                        await log.AppendAsync(Event);
                    }

                    await log.FlushAsync();
                });
            },
            () => InFreshFolderAsync(root, folder =>
            {
                using FasterLogContender faster = FasterLogContender.Discarding(folder);
                return Task.FromResult(AlternatingRounds.Time(() => faster.Append(Event, settings.Events)));
            }));
        return Rows(samples, "ObjectLog: AppendAsync per event, FlushThreshold 4,096, a store that discards", "FasterLog: Enqueue per event, no commit, NullDevice");
    }

    /// <summary>
    /// Durable means stored: the clock stops when FlushAsync returns. Pipelined, the producer never waits for a
    /// batch (as a logger appends), so up to MaxConcurrentPuts (default 8) batches are written and fsync'd at once;
    /// otherwise each batch is on disk before the next event is appended, as the naive loop does. The read tables'
    /// data is written uncompressed (<paramref name="compression"/>), so the reads compare framing and checking, not decoding.
    /// </summary>
    private static async Task<double> AppendLogDurablyAsync(string folder, int events, bool pipelined, LogCompression? compression = null)
    {
        var store = new FileSystemObjectStore(folder);
        var options = new AppendLogOptions { FlushThreshold = BatchEvents, FlushInterval = Timeout.InfiniteTimeSpan };
        options.Compression = compression ?? options.Compression;
        await using var log = new AppendLog(store, Prefix, options);
        return await AlternatingRounds.TimeAsync(async () =>
        {
            for (int i = 0; i < events; i++)
            {
                if (!pipelined || !log.TryAppend(Event))
                {
                    await log.AppendAsync(Event);
                }
            }

            await log.FlushAsync();
        });
    }

    /// <summary>Runs one contender in a folder of its own and deletes the folder afterwards, off the clock, so a full run needs one contender's data on disk at a time.</summary>
    private static async Task<double> InFreshFolderAsync(string root, Func<string, Task<double>> run)
    {
        string folder = NewFolder(root);
        try
        {
            return await run(folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static long FolderBytes(string folder) => new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    private static string NewFolder(string root) => Directory.CreateDirectory(Path.Combine(root, Guid.NewGuid().ToString("N"))).FullName;

    private static double TimeCounted(Func<List<byte[]>> read, int expected) => TimeCounted(() => read().Count, expected);

    private static double TimeCounted(Func<int> read, int expected)
    {
        int count = 0;
        double seconds = AlternatingRounds.Time(() => count = read());
        return Checked(seconds, count, expected);
    }

    /// <summary>A fast read that lost events would be worthless.</summary>
    private static double Checked(double seconds, int count, int expected)
        => count == expected ? seconds : throw new InvalidOperationException($"expected {expected} events, read {count}");

    private static List<Row> Rows(List<double>[] samples, params string[] names)
        => names.Select((name, i) => new Row(name, AlternatingRounds.Median(samples[i]))).ToList();

    private static void Print(string title, List<Row> rows, int events)
    {
        Console.WriteLine($"## {title}");
        Console.WriteLine();
        Console.WriteLine("| contender | seconds | events/s | MB/s | ns/event | ObjectLog ÷ this |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (Row row in rows)
        {
            Console.WriteLine(FormattableString.Invariant($"| {row.Name} | {row.Seconds:F3} | {events / row.Seconds:F0} | {events * (Event.Length + 1.0) / row.Seconds / 1e6:F0} | {row.Seconds * 1e9 / events:F0} | {rows[0].RatioTo(row):F2} |"));
        }

        Console.WriteLine();
    }

    /// <summary>How much to do. Full: 10^6 events, about half a minute on this machine's disk; quick: 10^5, for CI.</summary>
    private sealed record Settings(int Rounds, int Events)
    {
        public static Settings Full { get; } = new(Rounds: 9, Events: 1_000_000);

        public static Settings Quick { get; } = new(Rounds: 1, Events: 100_000);
    }

    private sealed record Row(string Name, double Seconds)
    {
        /// <summary>This row's throughput as a multiple of <paramref name="other"/>'s.</summary>
        public double RatioTo(Row other) => other.Seconds / Seconds;
    }
}
