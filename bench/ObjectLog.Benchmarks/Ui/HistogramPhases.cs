using System.Diagnostics;
using System.Globalization;
using ObjectLog.Cli.Ui;
using ObjectLog.Internal;
using ObjectLog.Storage;

namespace ObjectLog.Benchmarks.Ui;

/// <summary>
/// Where the whole log's histogram spends its time: the endpoint's read built up a step at a time in-process, then
/// the endpoint itself over HTTP, side by side in alternating rounds (<see cref="AlternatingRounds"/>). Each step's wall time and the
/// process's CPU time: on a shared machine the wall time includes waiting for a core, the CPU time is the work.
/// </summary>
internal static class HistogramPhases
{
    private const int Rounds = 3;

    /// <summary>One step's medians over the rounds.</summary>
    public sealed record Phase(string Step, double WallSeconds, double CpuSeconds, double AllocatedMegabytes, double Collections);

    /// <param name="store">The store the server reads.</param>
    /// <param name="events">The events in the log: what every step must count.</param>
    /// <param name="session">The server, whose endpoint is the last step.</param>
    public static async Task<List<Phase>> MeasureAsync(IObjectStore store, int events, UiSession session)
    {
        await using var log = new AppendLog(store, SeededLog.Log, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan });
        DateTimeOffset from = DateTimeOffset.UnixEpoch;
        EventFilter none = EventFilter.Parse([], null, []);
        (string Step, Func<Task<long>> Run)[] steps =
        [
            ("fetch and decode every data object, lines counted (FrameCodec.Decoding)", () => DecodeAllAsync(store)),
            ("read every event (AppendLog.ReadEventsAsync, counted)", async () =>
            {
                long n = 0;
                await foreach (LogEvent e in log.ReadEventsAsync(from))
                {
                    n++;
                }

                return n;
            }),
            ("… and find each event's level (EventLevel.Of)", async () =>
            {
                long n = 0;
                await foreach (LogEvent e in log.ReadEventsAsync(from))
                {
                    n += EventLevel.Of(e.Data) is null ? 0 : 1;
                }

                return n;
            }),
            ("… and filter and bucket them (Histogram.CountAsync, the endpoint's read)", async () =>
                (await Histogram.CountAsync(log, from, DateTimeOffset.UtcNow, openEnd: true, none, 60, CancellationToken.None)).Total),
            ("… and the rest of the endpoint, over HTTP (GET /api/histogram?range=all)", async () =>
                (await session.GetAsync("/api/histogram?range=all")).GetProperty("total").GetInt64()),
        ];

        List<Phase>[] samples = await AlternatingRounds.RunAsync(Rounds, [.. steps.Select(s => (Func<Task<Phase>>)(() => TimeAsync(s.Step, s.Run, events)))]);
        return [.. samples.Select(runs => AlternatingRounds.MedianSample(runs, p => p.WallSeconds))];
    }

    public static void Print(List<Phase> phases)
    {
        Console.WriteLine(FormattableString.Invariant($"Where the whole log's histogram spends its time (folder store, in-process, the median of {Rounds} alternating rounds; CPU, allocations and collections are the whole process's):"));
        Console.WriteLine();
        Console.WriteLine("| step | wall s | CPU s | allocated MB | garbage collections |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (Phase p in phases)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {p.Step} | {p.WallSeconds:F2} | {p.CpuSeconds:F2} | {p.AllocatedMegabytes:N0} | {p.Collections:N0} |"));
        }

        Console.WriteLine();
    }

    /// <summary>The floor under any read of the whole log: every data object's bytes fetched and decoded, newlines counted.</summary>
    private static async Task<long> DecodeAllAsync(IObjectStore store)
    {
        long lines = 0;
        byte[] buffer = new byte[1 << 20];
        await foreach (ObjectMeta meta in store.ListAsync(SeededLog.Log + "/"))
        {
            if (!meta.Key.EndsWith(".jsonl.zst", StringComparison.Ordinal))
            {
                continue;
            }

            await using Stream stored = await store.GetAsync(meta.Key);
            await using Stream decoded = FrameCodec.Decoding(stored, LogCompression.Zstd);
            int read;
            while ((read = await decoded.ReadAsync(buffer)) > 0)
            {
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
            }
        }

        return lines;
    }

    /// <summary>One run of a step: wall and CPU time, bytes allocated (all threads) and garbage collections (any generation).</summary>
    private static async Task<Phase> TimeAsync(string step, Func<Task<long>> run, long expected)
    {
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        long allocated = GC.GetTotalAllocatedBytes();
        int collections = GC.CollectionCount(0);
        long started = Stopwatch.GetTimestamp();
        long counted = await run();
        double wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var phase = new Phase(step, wall, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds, (GC.GetTotalAllocatedBytes() - allocated) / 1e6, GC.CollectionCount(0) - collections);
        return counted == expected ? phase : throw new InvalidOperationException($"{step}: counted {counted:N0} events, expected {expected:N0}");
    }
}
