using System.Diagnostics;
using System.Globalization;
using ObjectLog.Storage;

namespace ObjectLog.Benchmarks.Latency;

/// <summary>
/// Named consumers at 20 ms a request (<see cref="LatencyObjectStore"/>): how long after
/// <see cref="AppendLog.TryAppend"/> an event reaches a <see cref="LogConsumer"/>'s handler in another process, beside
/// a tail in another process in the same run, what each pays in requests while events flow and once they stop; and
/// how long a standby takes to carry on after the owner is killed.
/// </summary>
/// <remarks>
/// <para>
/// The first part is <see cref="EndToEndBenchmark"/>'s run with two receivers: its "another process (polling)" tail
/// and a consumer with default <see cref="LogConsumerOptions"/> on an <see cref="AppendLog"/> over a second wrapper
/// of the same in-memory store. An event is handled when the consumer hands it to the loop; its latency is taken there.
/// </para>
/// <para>
/// Takeover: an owner and a standby of one consumer name, each on its own <see cref="AppendLog"/> over its own
/// wrapper, while a writer appends <see cref="TakeoverRate"/> events a second. Once the standby is waiting for the
/// name, the owner is killed: its store (<see cref="KillableObjectStore"/>) lets no further call through and its loop
/// stops, without disposing, so nothing is committed or released. The figure is the time from the kill until the
/// standby's handler gets its first event; the bound is the lease plus one standby poll.
/// </para>
/// </remarks>
internal static class ConsumerBenchmark
{
    private const string Prefix = "consumers";
    private const string Name = "handler";
    private const int TakeoverRate = 200;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(20);

    /// <summary>How long the owner handles events before the standby starts, and the standby waits before the kill.</summary>
    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        EndToEndBenchmark.Settings settings = quick ? EndToEndBenchmark.Settings.Quick : EndToEndBenchmark.Settings.Full;
        var appendDefaults = new AppendLogOptions();
        var consumerDefaults = new LogConsumerOptions();
        Console.WriteLine($"# Named consumers: TryAppend to a LogConsumer's handler in another process, and takeover after a kill ({(quick ? "quick" : "full")} run, {Environment.ProcessorCount} cores, {Latency.TotalMilliseconds:F0} ms a request)");
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"Default options: TailPollInterval {appendDefaults.TailPollInterval.TotalMilliseconds:F0} ms, TailActivePollInterval {appendDefaults.TailActivePollInterval.TotalMilliseconds:F0} ms; LeaseDuration {consumerDefaults.LeaseDuration.TotalSeconds:F0} s, CheckpointEveryEvents {consumerDefaults.CheckpointEveryEvents}, CheckpointInterval {consumerDefaults.CheckpointInterval.TotalSeconds:F0} s. Appended for {settings.Flow.TotalSeconds:F1} s a run; idle requests over {settings.Idle.TotalSeconds:F0} s after a {settings.Settle.TotalSeconds:F0} s settle."));
        Console.WriteLine();

        EndToEndBenchmark.Tail[] receivers =
        [
            new("tail, another process (polling)", SameStore: false, appendDefaults.TailActivePollInterval, appendDefaults.TailPollInterval),
            new("consumer, another process", SameStore: false, appendDefaults.TailActivePollInterval, appendDefaults.TailPollInterval, Consumer: true),
        ];
        await EndToEndBenchmark.RunAsync(receivers[1], 200, TimeSpan.FromSeconds(2), settings with { Settle = TimeSpan.Zero, Idle = TimeSpan.Zero }, measureIdle: false); // JIT and first-use costs land here

        var rows = new List<EndToEndBenchmark.Row>();
        foreach (int rate in EndToEndBenchmark.Rates)
        {
            foreach (EndToEndBenchmark.Tail receiver in receivers)
            {
                rows.Add(await EndToEndBenchmark.RunAsync(receiver, rate, settings.Flow, settings, measureIdle: rate == EndToEndBenchmark.Rates[0]));
            }
        }

        PrintFlow(rows, settings.Idle);

        TimeSpan[] leases = quick ? [TimeSpan.FromSeconds(2)] : [TimeSpan.FromSeconds(2), consumerDefaults.LeaseDuration];
        var takeovers = new List<Takeover>();
        foreach (TimeSpan lease in leases)
        {
            takeovers.Add(await TakeoverAsync(lease));
        }

        PrintTakeovers(takeovers);

        EndToEndBenchmark.Row consumer = rows.Single(r => r.Rate == EndToEndBenchmark.Rates[0] && r.Tail == receivers[1]);
        var done = new DoneMeans(quick);
        done.CheckAtMost(FormattableString.Invariant($"p99 at {EndToEndBenchmark.Rates[0]} events/s, consumer in another process, default options: {consumer.P99:F0} ms ÷ 300 ms"), consumer.P99 / 300, 1);
        done.CheckAtMost(FormattableString.Invariant($"idle LISTs a second, consumer: {consumer.IdleListsPerSecond:F2}"), consumer.IdleListsPerSecond, 1);
        foreach (Takeover t in takeovers)
        {
            done.CheckAtMost(FormattableString.Invariant($"takeover, lease {t.Lease.TotalSeconds:F0} s: {t.Measured.TotalSeconds:F2} s ÷ (lease + one standby poll) {t.Bound.TotalSeconds:F2} s"), t.Measured / t.Bound, 1);
        }

        done.Print();
        return 0;
    }

    private static async Task<Takeover> TakeoverAsync(TimeSpan lease)
    {
        var options = new LogConsumerOptions { LeaseDuration = lease };
        var inner = new InMemoryObjectStore();
        var ownerStore = new KillableObjectStore(new LatencyObjectStore(inner, Latency));
        await using var writer = new AppendLog(new LatencyObjectStore(inner, Latency), Prefix);
        await using var standbyLog = new AppendLog(new LatencyObjectStore(inner, Latency), Prefix);
        var ownerLog = new AppendLog(ownerStore, Prefix); // killed, so never disposed: a dead process releases nothing
        LogConsumer owner = ownerLog.CreateConsumer(Name, options);
        await using LogConsumer standby = standbyLog.CreateConsumer(Name, options);

        using var stop = new CancellationTokenSource();
        long killedAt = 0; // Stopwatch timestamp; 0 until the kill
        var ownerHandled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var standbyHandled = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task owning = Task.Run(async () =>
        {
            await foreach (LogEvent e in owner.ReadAsync(stop.Token))
            {
                ownerHandled.TrySetResult();
                if (Volatile.Read(ref killedAt) != 0)
                {
                    await Task.Delay(Timeout.Infinite, stop.Token); // a dead process's loop: it neither handles nor ends
                }
            }
        });
        Task standing = Task.Run(async () =>
        {
            await ownerHandled.Task; // the owner holds the name first
            await foreach (LogEvent e in standby.ReadAsync(stop.Token))
            {
                if (Volatile.Read(ref killedAt) != 0)
                {
                    standbyHandled.TrySetResult(Stopwatch.GetTimestamp());
                }
            }
        });

        long appended = 0;
        long started = Stopwatch.GetTimestamp();
        byte[] line = SampleData.Event(250);
        Task<long> handledAt = standbyHandled.Task;
        while (!handledAt.IsCompleted)
        {
            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed > Settled + lease + lease + TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"the standby did not take over within {elapsed.TotalSeconds:F0} s (lease {lease.TotalSeconds:F0} s; owner killed: {killedAt != 0}; standby owner: {standby.IsOwner})");
            }

            for (long due = (long)(elapsed.TotalSeconds * TakeoverRate); appended < due; appended++)
            {
                if (!writer.TryAppend(line))
                {
                    throw new InvalidOperationException("the writer's buffer filled");
                }
            }

            if (killedAt == 0 && ownerHandled.Task.IsCompleted && owner.IsOwner && elapsed > Settled + Settled)
            {
                Volatile.Write(ref killedAt, Stopwatch.GetTimestamp());
                ownerStore.Kill();
            }

            await Task.Delay(1);
        }

        TimeSpan measured = Stopwatch.GetElapsedTime(killedAt, handledAt.Result);
        await stop.CancelAsync();
        await Task.WhenAll(owning, standing).ContinueWith(_ => { }, TaskScheduler.Default); // both end cancelled
        return new Takeover(lease, options.StandbyPollInterval ?? lease / 6, measured);
    }

    private static void PrintFlow(List<EndToEndBenchmark.Row> rows, TimeSpan idle)
    {
        Console.WriteLine("| receiver | events/s | events measured | p50 ms | p99 ms | max ms | first event ms | LISTs/s while events flow | idle LISTs/s | idle GETs/s | idle PUTs/s |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (EndToEndBenchmark.Row r in rows)
        {
            bool measured = !double.IsNaN(r.IdleListsPerSecond);
            string PerSecond(long count) => measured ? (count / idle.TotalSeconds).ToString("F2", CultureInfo.InvariantCulture) : "–";
            Console.WriteLine(FormattableString.Invariant($"| {r.Tail.Name} | {r.Rate:N0} | {r.Events:N0} | {r.P50:F0} | {r.P99:F0} | {r.Max:F0} | {r.First:F0} | {r.ListsPerSecond:F1} | {PerSecond(r.IdleRequests.Lists)} | {PerSecond(r.IdleRequests.Gets)} | {PerSecond(r.IdleRequests.Puts)} |"));
        }

        Console.WriteLine();
    }

    private static void PrintTakeovers(List<Takeover> takeovers)
    {
        Console.WriteLine(FormattableString.Invariant($"Takeover: the owner killed (no commit, no release) while a writer appends {TakeoverRate} events/s; time until the standby's handler gets an event."));
        Console.WriteLine();
        Console.WriteLine("| lease | standby poll | takeover, measured | bound: lease + one standby poll |");
        Console.WriteLine("| ---: | ---: | ---: | ---: |");
        foreach (Takeover t in takeovers)
        {
            Console.WriteLine(FormattableString.Invariant($"| {t.Lease.TotalSeconds:F0} s | {t.StandbyPoll.TotalMilliseconds:F0} ms | {t.Measured.TotalSeconds:F2} s | {t.Bound.TotalSeconds:F2} s |"));
        }

        Console.WriteLine();
    }

    private sealed record Takeover(TimeSpan Lease, TimeSpan StandbyPoll, TimeSpan Measured)
    {
        public TimeSpan Bound => Lease + StandbyPoll;
    }
}
