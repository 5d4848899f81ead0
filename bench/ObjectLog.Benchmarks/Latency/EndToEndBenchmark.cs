using System.Diagnostics;
using System.Globalization;
using System.Text;
using ObjectLog.Storage;

namespace ObjectLog.Benchmarks.Latency;

/// <summary>
/// Issue 16's end-to-end latency: how long after <see cref="AppendLog.TryAppend"/> an event comes out of
/// <see cref="AppendLog.TailAsync"/> on a second <see cref="AppendLog"/> over the same store, at 20 ms a request
/// (<see cref="LatencyObjectStore"/>), with default options, and what the tail pays in LISTs while events flow and
/// once they stop.
/// </summary>
/// <remarks>
/// <para>
/// Each event carries its append time (<see cref="Stopwatch.GetTimestamp"/>); the writer appends at a steady rate
/// (200 and 5,000 events a second). Three tails: "another process", whose store is a second wrapper around the same
/// in-memory store, so no word of a stored batch reaches it and it finds batches by polling alone; "same process",
/// over the writer's own store object, woken as each batch is stored; and the old behaviour as the baseline, a tail in
/// another process polling every second (<c>TailActivePollInterval = TailPollInterval = 1 s</c>).
/// </para>
/// <para>
/// Latencies are of the events appended after the first 1.5 s (the tail starts idle, at one poll a second); the
/// first event's is printed on its own. LISTs are the tail's, counted by its store over the measured part of the
/// flow, and, at 200 a second, over an idle stretch that starts once the tail has settled back to its idle pace.
/// </para>
/// </remarks>
internal static class EndToEndBenchmark
{
    private const string Prefix = "e2e";
    private const int EventBytes = 250;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1.5);
    internal static readonly int[] Rates = [200, 5_000];
    private static readonly byte[] Template = StampedEvent();

    public static async Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        Settings settings = quick ? Settings.Quick : Settings.Full;
        var defaults = new AppendLogOptions();
        Console.WriteLine($"# End-to-end latency: TryAppend to TailAsync on a second AppendLog ({(quick ? "quick" : "full")} run, {Environment.ProcessorCount} cores, {Latency.TotalMilliseconds:F0} ms a request)");
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"Default options: FlushThreshold {defaults.FlushThreshold}, FlushInterval {defaults.FlushInterval.TotalSeconds:F0} s, TailPollInterval {defaults.TailPollInterval.TotalMilliseconds:F0} ms, TailActivePollInterval {defaults.TailActivePollInterval.TotalMilliseconds:F0} ms. Events of {EventBytes} bytes, appended for {settings.Flow.TotalSeconds:F1} s a run; latencies of those after the first {WarmUp.TotalSeconds:F1} s. Idle: LISTs in the {settings.Settle.TotalSeconds:F0} s after the last event, then LISTs a second over {settings.Idle.TotalSeconds:F0} s."));
        Console.WriteLine();

        Tail[] tails =
        [
            new("baseline: polls every 1 s, another process", SameStore: false, Active: TimeSpan.FromSeconds(1), Idle: TimeSpan.FromSeconds(1)),
            new("another process (polling)", SameStore: false, defaults.TailActivePollInterval, defaults.TailPollInterval),
            new("same process (woken)", SameStore: true, defaults.TailActivePollInterval, defaults.TailPollInterval),
        ];
        await RunAsync(tails[1], 200, TimeSpan.FromSeconds(2), settings with { Settle = TimeSpan.Zero, Idle = TimeSpan.Zero }, measureIdle: false); // JIT and first-use costs land here

        var rows = new List<Row>();
        foreach (int rate in Rates)
        {
            foreach (Tail tail in tails)
            {
                rows.Add(await RunAsync(tail, rate, settings.Flow, settings, measureIdle: rate == Rates[0]));
            }
        }

        Print(rows);
        Row baseline = rows.Single(r => r.Rate == Rates[0] && r.Tail == tails[0]);
        Row polling = rows.Single(r => r.Rate == Rates[0] && r.Tail == tails[1]);
        Row woken = rows.Single(r => r.Rate == Rates[0] && r.Tail == tails[2]);
        Console.WriteLine(FormattableString.Invariant($"At {Rates[0]} events/s, p99: another process {polling.P99:F0} ms, {baseline.P99 / polling.P99:F1}× lower than the baseline's {baseline.P99:F0} ms; same process {woken.P99:F0} ms. LISTs/s while events flow: {polling.ListsPerSecond:F1} against the baseline's {baseline.ListsPerSecond:F1}."));
        Console.WriteLine();
        var done = new DoneMeans(quick);
        done.CheckAtMost(FormattableString.Invariant($"p99 at {Rates[0]} events/s, another process, default options: {polling.P99:F0} ms ÷ 300 ms"), polling.P99 / 300, 1);
        done.CheckAtMost(FormattableString.Invariant($"idle LISTs a second, another process: {polling.IdleListsPerSecond:F2}"), polling.IdleListsPerSecond, 1);
        done.CheckAtMost(FormattableString.Invariant($"idle LISTs a second, same process: {woken.IdleListsPerSecond:F2}"), woken.IdleListsPerSecond, 1);
        done.Print();
        return 0;
    }

    /// <summary>One run: the writer appends at <paramref name="rate"/> for <paramref name="flow"/> while <paramref name="tail"/> receives; then, if <paramref name="measureIdle"/>, the idle stretch.</summary>
    internal static async Task<Row> RunAsync(Tail tail, int rate, TimeSpan flow, Settings settings, bool measureIdle)
    {
        var inner = new InMemoryObjectStore();
        var writerStore = new LatencyObjectStore(inner, Latency);
        LatencyObjectStore tailStore = tail.SameStore ? writerStore : new LatencyObjectStore(inner, Latency);
        await using var writer = new AppendLog(writerStore, Prefix);
        await using var follower = new AppendLog(tailStore, Prefix, new AppendLogOptions { TailPollInterval = tail.Idle, TailActivePollInterval = tail.Active });

        var latencies = new List<double>();
        double? first = null;
        long received = 0;
        long measuredFrom = 0; // the timestamp from which an event's latency counts; set when the writer starts
        using var stop = new CancellationTokenSource();
        Task tailing = Task.Run(async () =>
        {
            try
            {
                LogConsumer? consumer = tail.Consumer ? follower.CreateConsumer("handler", new LogConsumerOptions()) : null;
                await using var owned = consumer;
                await foreach (LogEvent e in consumer?.ReadAsync(stop.Token) ?? follower.TailAsync(null, stop.Token))
                {
                    long sent = ReadStamp(e.Data);
                    double ms = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                    lock (latencies)
                    {
                        first ??= ms;
                        if (sent >= Volatile.Read(ref measuredFrom))
                        {
                            latencies.Add(ms);
                        }
                    }

                    Interlocked.Increment(ref received);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        });

        // The writer: a steady rate, appending what is due about every millisecond, each event stamped as it goes in.
        byte[] line = (byte[])Template.Clone();
        long appended = 0;
        long started = Stopwatch.GetTimestamp();
        Volatile.Write(ref measuredFrom, started + (long)(WarmUp.TotalSeconds * Stopwatch.Frequency));
        long listsFrom = -1;
        TimeSpan elapsed;
        while ((elapsed = Stopwatch.GetElapsedTime(started)) < flow)
        {
            if (listsFrom < 0 && elapsed >= WarmUp)
            {
                listsFrom = tailStore.Requests.Lists;
            }

            long due = (long)(elapsed.TotalSeconds * rate);
            for (; appended < due; appended++)
            {
                WriteStamp(line, Stopwatch.GetTimestamp());
                if (!writer.TryAppend(line))
                {
                    throw new InvalidOperationException("the writer's buffer filled: the store cannot keep up with this rate");
                }
            }

            await Task.Delay(1);
        }

        double listsPerSecond = (tailStore.Requests.Lists - Math.Max(listsFrom, 0)) / (flow - WarmUp).TotalSeconds;
        await writer.FlushAsync();
        var drain = Stopwatch.StartNew();
        while (Interlocked.Read(ref received) < appended)
        {
            if (drain.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"the tail returned {Interlocked.Read(ref received)} of {appended} events");
            }

            await Task.Delay(5);
        }

        long settleLists = 0;
        double idleListsPerSecond = double.NaN;
        RequestCounts idle = default;
        if (measureIdle)
        {
            long before = tailStore.Requests.Lists;
            await Task.Delay(settings.Settle);
            RequestCounts settled = tailStore.Requests;
            await Task.Delay(settings.Idle);
            idle = tailStore.Requests - settled;
            settleLists = settled.Lists - before;
            idleListsPerSecond = idle.Lists / settings.Idle.TotalSeconds;
        }

        await stop.CancelAsync();
        await tailing;
        if (Interlocked.Read(ref received) != appended)
        {
            throw new InvalidOperationException($"the tail returned {received} events, {appended} were appended");
        }

        latencies.Sort();
        return new Row(tail, rate, latencies.Count, Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies[^1], first ?? double.NaN, listsPerSecond, settleLists, idleListsPerSecond, idle);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>A <see cref="SampleData"/> event of <see cref="EventBytes"/> bytes that opens with a fixed-width <c>"sent"</c> field for the append time.</summary>
    private static byte[] StampedEvent()
    {
        byte[] head = Encoding.UTF8.GetBytes("{\"sent\":0000000000000000000,");
        byte[] rest = SampleData.Event(EventBytes - head.Length + 1);
        return [.. head, .. rest.AsSpan(1)]; // the sample's own opening brace is the head's
    }

    private static void WriteStamp(byte[] line, long timestamp)
        => Encoding.ASCII.GetBytes(timestamp.ToString("D19", CultureInfo.InvariantCulture), line.AsSpan(8, 19));

    private static long ReadStamp(byte[] line) => long.Parse(line.AsSpan(8, 19), CultureInfo.InvariantCulture);

    private static void Print(List<Row> rows)
    {
        Console.WriteLine("| tail | events/s | events measured | p50 ms | p99 ms | max ms | first event ms | LISTs/s while events flow | LISTs in the settle after | idle LISTs/s |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (Row r in rows)
        {
            string idle = double.IsNaN(r.IdleListsPerSecond) ? "–" : r.IdleListsPerSecond.ToString("F2", CultureInfo.InvariantCulture);
            string settle = double.IsNaN(r.IdleListsPerSecond) ? "–" : r.SettleLists.ToString(CultureInfo.InvariantCulture);
            Console.WriteLine(FormattableString.Invariant($"| {r.Tail.Name} | {r.Rate:N0} | {r.Events:N0} | {r.P50:F0} | {r.P99:F0} | {r.Max:F0} | {r.First:F0} | {r.ListsPerSecond:F1} | {settle} | {idle} |"));
        }

        Console.WriteLine();
    }

    /// <summary>The receiving side: a tail with the given pacing, or, with <paramref name="Consumer"/>, a <see cref="LogConsumer"/> with default <see cref="LogConsumerOptions"/> on the same log.</summary>
    internal sealed record Tail(string Name, bool SameStore, TimeSpan Active, TimeSpan Idle, bool Consumer = false);

    /// <param name="IdleRequests">The receiver's requests over the idle stretch (a consumer's lease renewals among them); zero unless idle was measured.</param>
    internal sealed record Row(Tail Tail, int Rate, int Events, double P50, double P99, double Max, double First, double ListsPerSecond, long SettleLists, double IdleListsPerSecond, RequestCounts IdleRequests);

    /// <param name="Flow">How long the writer appends in each run.</param>
    /// <param name="Settle">After the last event, how long the tail is given to slow back down to its idle pace.</param>
    /// <param name="Idle">How long idle LISTs are counted over, after <paramref name="Settle"/>.</param>
    internal sealed record Settings(TimeSpan Flow, TimeSpan Settle, TimeSpan Idle)
    {
        public static readonly Settings Full = new(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10));
        public static readonly Settings Quick = new(TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3));
    }
}
