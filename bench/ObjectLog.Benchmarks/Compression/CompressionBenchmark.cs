using System.Globalization;
using ObjectLog.Cli;
using ObjectLog.Internal;
using ObjectLog.Storage;
using ZstdSharp;

namespace ObjectLog.Benchmarks.Compression;

/// <summary>
/// What compression saves on two corpora, log entries from ObjectLog's ILogger provider and <c>objlog demo</c>'s
/// events: stored bytes ÷ raw bytes (raw: the events' JSON Lines, newlines included, as <see cref="LogCompression.None"/>
/// stores them) of the batch objects a real <see cref="AppendLog"/> writes into an <see cref="InMemoryObjectStore"/>,
/// and of what its <see cref="AppendLog.CompactAsync(CancellationToken)"/> leaves, with the codec's speed on those
/// batches. Then, for batches of 32 under zstd, what a compaction could gain by a higher level or by re-framing.
/// </summary>
/// <remarks>
/// Each batch is exactly N events: the writer flushes after every N (<c>FlushThresholdBytes</c> is raised so a
/// batch of 4,096 is not cut at 1 MiB). Speeds are raw MB per second through the library's own codec
/// (<c>FrameCodec</c>) over every batch, medians of alternating rounds; the level table times ZstdSharp's one-shot calls directly.
/// </remarks>
internal static class CompressionBenchmark
{
    private const string Prefix = "corpus";
    private const int DefaultBatch = 32;
    private static readonly int[] BatchSizes = [32, 256, 4096];
    private static readonly LogCompression[] Codecs = [LogCompression.Gzip, LogCompression.Zstd];
    private static readonly int[] ZstdLevels = [3, 6, 9, 12, 19];

    public static async Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        Settings settings = quick ? Settings.Quick : Settings.Full;
        Console.WriteLine($"# Compression of stored batches ({(quick ? "quick" : "full")} run, {Environment.ProcessorCount} cores, {settings.Events:N0} events a corpus, speeds: medians of {settings.Rounds} alternating round(s))");
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"zstd level {FrameCodec.ZstdLevel} (ZstdSharp.Port), gzip: System.IO.Compression, CompressionLevel.Optimal. Ratio = stored bytes ÷ raw bytes (lower is better)."));
        Console.WriteLine();

        var random = new Random(42);
        Corpus[] corpora =
        [
            new("ILogger provider entries", await LoggerCorpus.CaptureAsync(settings.Events)),
            new("objlog demo events", [.. Enumerable.Range(0, settings.Events).Select(i => DemoEvents.Next(random, i))]),
        ];
        foreach (Corpus corpus in corpora)
        {
            List<byte[]> withStack = corpus.Events.Where(e => e.AsSpan().IndexOf("\"exception\":"u8) >= 0).ToList();
            Console.WriteLine(FormattableString.Invariant($"- {corpus.Name}: {corpus.Events.Count:N0} events, {corpus.RawBytes / 1e6:F2} MB raw, {(double)corpus.RawBytes / corpus.Events.Count:F0} bytes an event; {withStack.Count:N0} with an exception ({withStack.Sum(e => e.Length + 1L) / (double)corpus.RawBytes:P0} of the raw bytes). Example: `{Shorten(System.Text.Encoding.UTF8.GetString(corpus.Events[^1]), 600)}`"));
        }

        Console.WriteLine();
        await WarmUpAsync(corpora[0]);

        var stored = new Dictionary<(Corpus, int, LogCompression), StoredSizes>();
        foreach (Corpus corpus in corpora)
        {
            var rows = new List<(int Batch, LogCompression Codec, StoredSizes Sizes, Speed Speed)>();
            foreach (int batch in BatchSizes)
            {
                StoredSizes plain = await StoreAndCompactAsync(corpus, batch, LogCompression.None);
                if (plain.BatchBytes != corpus.RawBytes)
                {
                    throw new InvalidOperationException($"uncompressed batches hold {plain.BatchBytes} bytes, the events {corpus.RawBytes}");
                }

                Speed[] speeds = await MeasureSpeedAsync(corpus, batch, settings.Rounds);
                for (int c = 0; c < Codecs.Length; c++)
                {
                    StoredSizes sizes = await StoreAndCompactAsync(corpus, batch, Codecs[c]);
                    stored[(corpus, batch, Codecs[c])] = sizes;
                    rows.Add((batch, Codecs[c], sizes, speeds[c]));
                }
            }

            PrintStored(corpus, rows);
        }

        foreach (Corpus corpus in corpora)
        {
            PrintLevels(corpus, MeasureLevels(corpus, settings.Rounds));
        }

        Corpus logs = corpora[0];
        StoredSizes zstd32 = stored[(logs, DefaultBatch, LogCompression.Zstd)];
        var done = new DoneMeans(quick);
        done.CheckAtMost($"{logs.Name}, zstd, batches of 32: {Ratio(zstd32.BatchBytes, logs)} raw", zstd32.BatchBytes / (double)logs.RawBytes, 0.22);
        done.CheckAtMost($"{logs.Name}, zstd, batches of 32, after compaction (data objects): {Ratio(zstd32.DataBytesAfter, logs)} raw", zstd32.DataBytesAfter / (double)logs.RawBytes, 0.18);
        done.CheckAtMost($"{logs.Name}, zstd, batches of 32, after compaction (data and manifests): {Ratio(zstd32.DataBytesAfter + zstd32.ManifestBytesAfter, logs)} raw", (zstd32.DataBytesAfter + zstd32.ManifestBytesAfter) / (double)logs.RawBytes, 0.18);
        done.Print();
        return 0;
    }

    /// <summary>JIT, the codecs' per-thread state and first-use costs land here, not on a measured figure.</summary>
    private static async Task WarmUpAsync(Corpus corpus)
    {
        var slice = new Corpus(corpus.Name, corpus.Events.Take(DefaultBatch * 4).ToList());
        foreach (LogCompression codec in Codecs)
        {
            await StoreAndCompactAsync(slice, DefaultBatch, codec);
        }

        await MeasureSpeedAsync(slice, DefaultBatch, 1);
    }

    /// <summary>Writes the corpus in batches of exactly <paramref name="batch"/> events, measures them, compacts in the same setting, measures what is live.</summary>
    private static async Task<StoredSizes> StoreAndCompactAsync(Corpus corpus, int batch, LogCompression compression)
    {
        var store = new InMemoryObjectStore();
        var options = new AppendLogOptions
        {
            FlushThreshold = batch,
            FlushThresholdBytes = 64 * 1024 * 1024, // within what a reader decodes from one frame (256 MiB)
            FlushInterval = Timeout.InfiniteTimeSpan,
            Compression = compression,
        };
        await using var log = new AppendLog(store, Prefix, options);
        for (int i = 0; i < corpus.Events.Count; i++)
        {
            await log.AppendAsync(corpus.Events[i]);
            if ((i + 1) % batch == 0)
            {
                await log.FlushAsync();
            }
        }

        await log.FlushAsync();
        IReadOnlyList<StoredObject> before = await log.ListStoredObjectsAsync();
        List<StoredObject> batches = before.Where(o => o.Kind == StoredObjectKind.Batch).ToList();
        int expectedBatches = (corpus.Events.Count + batch - 1) / batch;
        if (batches.Count != expectedBatches || before.Count != batches.Count)
        {
            throw new InvalidOperationException($"expected {expectedBatches} batch objects, found {batches.Count} (and {before.Count - batches.Count} others)");
        }

        await log.CompactAsync();
        List<StoredObject> live = (await log.ListStoredObjectsAsync()).Where(o => o.State == StoredObjectState.Live).ToList();
        List<StoredObject> data = live.Where(o => o.Kind is StoredObjectKind.Batch or StoredObjectKind.Merged).ToList();
        List<StoredObject> manifests = live.Where(o => o.Kind is StoredObjectKind.Manifest or StoredObjectKind.EndMarker).ToList();
        await ExpectSameEventsAsync(store, corpus);
        return new StoredSizes(
            batches.Sum(o => o.Meta.Size),
            batches.Count,
            data.Sum(o => o.Meta.Size),
            data.Count,
            manifests.Sum(o => o.Meta.Size),
            manifests.Count);
    }

    /// <summary>A small figure from a log that lost or changed events would be worthless: read back from the store, compare.</summary>
    private static async Task ExpectSameEventsAsync(IObjectStore store, Corpus corpus)
    {
        await using var reader = new AppendLog(store, Prefix);
        IReadOnlyList<byte[]> events = await reader.ReadAllAsync();
        if (events.Count != corpus.Events.Count || !events.Zip(corpus.Events).All(p => p.First.AsSpan().SequenceEqual(p.Second)))
        {
            throw new InvalidOperationException($"read back {events.Count} events, not the {corpus.Events.Count} written");
        }
    }

    /// <summary>Raw MB/s through <c>FrameCodec</c>, encoding every batch of the corpus and decoding every frame, for each of <see cref="Codecs"/>.</summary>
    private static async Task<Speed[]> MeasureSpeedAsync(Corpus corpus, int batch, int rounds)
    {
        List<byte[]> bodies = corpus.Batches(batch);
        byte[][][] frames = Codecs.Select(c => bodies.Select(b => FrameCodec.Encode(b, c)).ToArray()).ToArray();
        int largest = bodies.Max(b => b.Length);
        var contenders = new List<Func<Task<double>>>();
        for (int c = 0; c < Codecs.Length; c++)
        {
            LogCompression codec = Codecs[c];
            byte[][] encoded = frames[c];
            contenders.Add(() => Task.FromResult(AlternatingRounds.Time(() => bodies.ForEach(b => FrameCodec.Encode(b, codec)))));
            contenders.Add(() => Task.FromResult(AlternatingRounds.Time(() => DecodeAll(codec, encoded, bodies, largest))));
        }

        List<double>[] samples = await AlternatingRounds.RunAsync(rounds, [.. contenders]);
        return Codecs.Select((_, c) => new Speed(corpus.RawBytes / AlternatingRounds.Median(samples[2 * c]) / 1e6, corpus.RawBytes / AlternatingRounds.Median(samples[(2 * c) + 1]) / 1e6)).ToArray();
    }

    private static void DecodeAll(LogCompression codec, byte[][] frames, List<byte[]> bodies, int largest)
    {
        byte[] output = System.Buffers.ArrayPool<byte>.Shared.Rent(largest);
        try
        {
            for (int i = 0; i < frames.Length; i++)
            {
                int written = FrameCodec.Decode("bench", 0, codec, frames[i], largest, ref output, 0);
                if (written != bodies[i].Length)
                {
                    throw new InvalidOperationException($"frame {i} decoded to {written} bytes, not {bodies[i].Length}");
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(output);
        }
    }

    /// <summary>The corpus in batches of 32 events, framed per <c>frameEvents</c> events (32: as stored now; more: re-framed by a compaction) at each zstd level.</summary>
    private static List<LevelRow> MeasureLevels(Corpus corpus, int rounds)
    {
        var rows = new List<LevelRow>();
        foreach (int frameEvents in BatchSizes)
        {
            List<byte[]> bodies = corpus.Batches(frameEvents);
            int largest = bodies.Max(b => b.Length);
            byte[] output = new byte[largest];
            foreach (int level in ZstdLevels)
            {
                using var compressor = new Compressor(level);
                using var decompressor = new Decompressor();
                byte[][] frames = [];
                double firstPass = AlternatingRounds.Time(() => frames = bodies.Select(b => compressor.Wrap(b).ToArray()).ToArray());
                void Compress() => bodies.ForEach(b => compressor.Wrap(b));
                void Decompress()
                {
                    for (int i = 0; i < frames.Length; i++)
                    {
                        if (decompressor.Unwrap(frames[i], output, 0) != bodies[i].Length)
                        {
                            throw new InvalidOperationException($"frame {i} did not decode to its {bodies[i].Length} bytes");
                        }
                    }
                }

                // Levels 12 and 19 compress at a few MB/s, tens of seconds a full corpus: timed by their first pass alone.
                double compress = level >= 12 ? firstPass : AlternatingRounds.Median(Enumerable.Range(0, rounds).Select(_ => AlternatingRounds.Time(Compress)).ToList());
                double decompress = AlternatingRounds.Median(Enumerable.Range(0, rounds).Select(_ => AlternatingRounds.Time(Decompress)).ToList());
                rows.Add(new LevelRow(frameEvents, level, frames.Sum(f => (long)f.Length), corpus.RawBytes / compress / 1e6, corpus.RawBytes / decompress / 1e6));
            }
        }

        return rows;
    }

    private static void PrintStored(Corpus corpus, List<(int Batch, LogCompression Codec, StoredSizes Sizes, Speed Speed)> rows)
    {
        Console.WriteLine($"## {corpus.Name}: stored ÷ raw, before and after compaction");
        Console.WriteLine();
        Console.WriteLine("| batch | codec | batches ÷ raw | after compaction: data ÷ raw | data + manifests ÷ raw | objects: batches → data + manifests | compress MB/s | decompress MB/s |");
        Console.WriteLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach ((int batch, LogCompression codec, StoredSizes s, Speed speed) in rows)
        {
            Console.WriteLine(FormattableString.Invariant($"| {batch:N0} | {codec} | {Ratio(s.BatchBytes, corpus)} | {Ratio(s.DataBytesAfter, corpus)} | {Ratio(s.DataBytesAfter + s.ManifestBytesAfter, corpus)} | {s.BatchObjects:N0} → {s.DataObjectsAfter} + {s.ManifestObjectsAfter} | {speed.CompressMBps:F0} | {speed.DecompressMBps:F0} |"));
        }

        Console.WriteLine();
    }

    private static void PrintLevels(Corpus corpus, List<LevelRow> rows)
    {
        Console.WriteLine($"## {corpus.Name}: what a compaction of batches of 32 could store (zstd, by frame and level)");
        Console.WriteLine();
        Console.WriteLine("One frame per 32 events is how batches of 32 are stored, and what a compaction writes now (level 3); one frame per 256 or 4,096 events is re-framing. Speeds: raw MB/s through ZstdSharp's one-shot calls, medians of as many passes as rounds (levels 12 and 19 compress: one pass).");
        Console.WriteLine();
        Console.WriteLine("| one frame per | level | stored ÷ raw | compress MB/s | decompress MB/s |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: |");
        foreach (LevelRow r in rows)
        {
            Console.WriteLine(FormattableString.Invariant($"| {r.FrameEvents:N0} events | {r.Level}{(r.FrameEvents == DefaultBatch && r.Level == FrameCodec.ZstdLevel ? " (now)" : "")} | {Ratio(r.Bytes, corpus)} | {r.CompressMBps:F0} | {r.DecompressMBps:F0} |"));
        }

        Console.WriteLine();
    }

    private static string Ratio(long bytes, Corpus corpus) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)corpus.RawBytes:F3}×");

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..length] + "…";

    /// <summary>How much to do. Full: 32,768 events a corpus (8 batches of 4,096), 5 rounds; quick: 4,096, one round, for CI.</summary>
    private sealed record Settings(int Rounds, int Events)
    {
        public static Settings Full { get; } = new(Rounds: 5, Events: 32_768);

        public static Settings Quick { get; } = new(Rounds: 1, Events: 4_096);
    }

    private sealed record Corpus(string Name, List<byte[]> Events)
    {
        public long RawBytes { get; } = Events.Sum(e => e.Length + 1L);

        /// <summary>The events as batch objects of <paramref name="events"/> events hold them, uncompressed.</summary>
        public List<byte[]> Batches(int events) => Events.Chunk(events).Select(chunk =>
        {
            var body = new MemoryStream();
            foreach (byte[] line in chunk)
            {
                body.Write(line);
                body.WriteByte((byte)'\n');
            }

            return body.ToArray();
        }).ToList();
    }

    private sealed record StoredSizes(long BatchBytes, int BatchObjects, long DataBytesAfter, int DataObjectsAfter, long ManifestBytesAfter, int ManifestObjectsAfter);

    private sealed record Speed(double CompressMBps, double DecompressMBps);

    private sealed record LevelRow(int FrameEvents, int Level, long Bytes, double CompressMBps, double DecompressMBps);
}
