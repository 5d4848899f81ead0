using System.Globalization;
using System.Text;
using ObjectLog.Internal;
using ObjectLog.Storage;

namespace ObjectLog.Benchmarks;

/// <summary>
/// Issue "The edges a new user hits", point 6: what a merged object's manifest costs against its data when every
/// batch holds one event. 15,000 one-event batches (quick: 1,500) of about 11 and about 150 bytes, compacted into one
/// merged object; its manifest as written (format 3) and the same manifest as format 2 wrote it, from the same run.
/// </summary>
/// <remarks>
/// Three timings, since a manifest's size a batch depends on the gaps between batch names and stored times:
/// an application that flushes every event (through <see cref="AppendLog"/>, the system clock); a logger that stores one
/// event a second, each about a second after it was appended (names and stamps from a seeded random clock); and the
/// same on a store that stamps to the second, as S3 and Azure do. Then the bytes a log writes for manifests over its
/// life, compacted size-tiered as it grows, against the data it writes (batch objects and merged data).
/// </remarks>
internal static class ManifestBenchmark
{
    private const string Prefix = "bench";

    public static async Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        int batches = quick ? 1_500 : 15_000;
        Console.WriteLine(FormattableString.Invariant($"# Manifests at one event a batch ({batches:N0} batches, {(quick ? "quick" : "full")} run)"));
        Console.WriteLine();
        Console.WriteLine("| batches written | event bytes (with newline) | data bytes | format 3 manifest | a batch | ÷ data | format 2 manifest | a batch | ÷ data |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var done = new DoneMeans(quick);
        foreach (int eventBytes in new[] { 11, 151 })
        {
            foreach (Timing timing in Enum.GetValues<Timing>())
            {
                (long data, Manifest manifest, long written) = await CompactedAsync(timing, batches, eventBytes);
                long format2 = manifest.Serialize(Manifest.Format2).Length;
                Console.WriteLine(FormattableString.Invariant($"| {Describe(timing)} | {eventBytes} | {data:N0} | {written:N0} | {(double)written / batches:F1} | {100.0 * written / data:F1}% | {format2:N0} | {(double)format2 / batches:F1} | {100.0 * format2 / data:F1}% |"));
                if (timing == Timing.FlushEveryEvent)
                {
                    done.Check(FormattableString.Invariant($"{eventBytes}-byte events, flushed one by one: format 3 is {(double)format2 / written:F1}× smaller than format 2"), (double)format2 / written, 5);
                }

                if (eventBytes == 151 && timing == Timing.FlushEveryEvent)
                {
                    done.Check(FormattableString.Invariant($"151-byte events, flushed one by one: the manifest is {100.0 * written / data:F1}% of its data (shown as 10% ÷ that)"), 0.1 * data / written, 1);
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine("Over the log's life, compacted size-tiered (fan-in 4, tier 0 up to 64 KiB) after every 100 flushes, flushing every event:");
        Console.WriteLine();
        Console.WriteLine("| event bytes | data written (batch objects and merged data) | manifests written | ÷ data | as format 2 | ÷ data | merged objects written |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (int eventBytes in new[] { 11, 151 })
        {
            Lifetime life = await LifetimeAsync(batches, eventBytes);
            Console.WriteLine(FormattableString.Invariant($"| {eventBytes} | {life.Data:N0} | {life.Manifests:N0} | {100.0 * life.Manifests / life.Data:F1}% | {life.Format2:N0} | {100.0 * life.Format2 / life.Data:F1}% | {life.Merges:N0} |"));
        }

        Console.WriteLine();
        done.Print();
        return 0;
    }

    private enum Timing
    {
        FlushEveryEvent,
        OneASecond,
        OneASecondStampedToTheSecond,
    }

    private static string Describe(Timing timing) => timing switch
    {
        Timing.FlushEveryEvent => "flushed one by one, as fast as they go",
        Timing.OneASecond => "one a second, stored ~1 s after their events",
        _ => "the same, store stamps to the second",
    };

    /// <summary>An event of exactly <paramref name="bytesWithNewline"/> bytes with its newline: <c>{"i":1234}</c>, padded beyond 12 bytes.</summary>
    private static byte[] Event(int i, int bytesWithNewline)
    {
        if (bytesWithNewline <= 12)
        {
            int digits = bytesWithNewline - 7;
            return Encoding.UTF8.GetBytes("{\"i\":" + (i % (int)Math.Pow(10, digits)).ToString(new string('0', digits), CultureInfo.InvariantCulture) + "}");
        }

        string e = string.Create(CultureInfo.InvariantCulture, $"{{\"i\":{i % 100_000:D5}");
        return Encoding.UTF8.GetBytes(e + ",\"pad\":\"" + new string('x', bytesWithNewline - e.Length - 11) + "\"}");
    }

    /// <summary>Writes the batches, compacts them into one merged object, and returns its data's size, its manifest, and the manifest's size as stored.</summary>
    private static async Task<(long Data, Manifest Manifest, long Written)> CompactedAsync(Timing timing, int batches, int eventBytes)
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new InMemoryObjectStore(timing == Timing.FlushEveryEvent ? null : clock);
        if (timing == Timing.FlushEveryEvent)
        {
            await using var writer = new AppendLog(store, Prefix, new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan });
            for (int i = 0; i < batches; i++)
            {
                await writer.AppendAsync(Event(i, eventBytes));
                await writer.FlushAsync();
            }
        }
        else
        {
            // A logger: each event appended at a random moment of its second, stored by the next flush a second later,
            // the PUT taking 20 to 80 ms. The store stamps what the clock says then (to the second, if asked).
            var random = new Random(6);
            long start = LogObjectName.Microseconds(clock.Now);
            for (int i = 0; i < batches; i++)
            {
                long named = start + (i * 1_000_000L) + random.Next(1_000_000);
                DateTimeOffset stored = DateTimeOffset.UnixEpoch.AddTicks((named + 1_000_000 + random.Next(20_000, 80_000)) * 10);
                clock.Now = timing == Timing.OneASecond ? stored : new DateTimeOffset(stored.Ticks - (stored.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
                byte[] body = [.. Event(i, eventBytes), (byte)'\n'];
                await store.PutAsync($"{Prefix}/{LogObjectName.WithCrc(LogObjectName.Batch(named, 0x9561af24db0ee4ff, i + 1), Crc32C.Compute(body))}", body, PutMode.Create);
            }

            clock.Now += TimeSpan.FromMinutes(1);
        }

        await using var log = new AppendLog(store, Prefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan });
        CompactionStats stats = await log.CompactAsync();
        (long data, Manifest manifest, long written) = await ReadMergedAsync(store, stats.NewKey!);
        if (manifest.Batches.Count != batches || manifest.Batches.Any(b => b.Lines != 1))
        {
            throw new InvalidOperationException($"expected {batches} batches of one event, got {manifest.Batches.Count} holding {manifest.Batches.Sum(b => b.Lines)}");
        }

        return (data, manifest, written);
    }

    private static async Task<(long Data, Manifest Manifest, long Written)> ReadMergedAsync(IObjectStore store, string dataKey)
    {
        string manifestKey = Prefix + "/" + LogObjectName.ManifestFor(dataKey[(Prefix.Length + 1)..]);
        LogObjectName.TryParse(manifestKey[(Prefix.Length + 1)..], out LogObjectName name);
        byte[] bytes = await store.GetBytesAsync(manifestKey);
        Manifest manifest = Manifest.Parse(bytes, manifestKey, name);
        return (manifest.Batches[^1].Offset + manifest.Batches[^1].Length, manifest, bytes.Length);
    }

    private sealed record Lifetime(long Data, long Manifests, long Format2, int Merges);

    /// <summary>Flushes every event, compacting size-tiered every 100 flushes; adds up the data and manifests each step wrote.</summary>
    private static async Task<Lifetime> LifetimeAsync(int batches, int eventBytes)
    {
        var store = new InMemoryObjectStore();
        await using var log = new AppendLog(store, Prefix, new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan });
        CompactionPolicy policy = CompactionPolicy.SizeTiered(fanIn: 4, minObjectBytes: 64 * 1024);
        long data = 0, manifests = 0, format2 = 0;
        int merges = 0;
        for (int i = 0; i < batches; i++)
        {
            byte[] e = Event(i, eventBytes);
            await log.AppendAsync(e);
            await log.FlushAsync();
            data += e.Length + 1;
            if ((i + 1) % 100 != 0 && i != batches - 1)
            {
                continue;
            }

            // As many merges as the tiers call for: each one's output may fill the tier above.
            while ((await log.CompactAsync(policy)).NewKey is { } merged)
            {
                (long d, Manifest m, long written) = await ReadMergedAsync(store, merged);
                data += d;
                manifests += written;
                format2 += m.Serialize(Manifest.Format2).Length;
                merges++;
            }
        }

        return new Lifetime(data, manifests, format2, merges);
    }

    /// <summary>A clock that says what it is told: the store stamps objects with it.</summary>
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
