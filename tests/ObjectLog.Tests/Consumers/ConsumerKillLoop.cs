using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ObjectLog.Internal;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Consumers;

/// <summary>
/// <c>objlog tail --consumer</c> processes over one log while a writer appends: the owner is killed with SIGKILL again
/// and again, and a standby that was waiting takes over. Checks what the consumer promises across processes: every
/// event is printed at least once, none that an owner had committed is printed again, each standby says whom it
/// waits for, and each takes over within the lease plus one standby poll of the kill.
/// </summary>
public static class ConsumerKillLoop
{
    /// <summary>The lease the processes hold: short, so the loop is quick.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    /// <summary>What a takeover may take beyond the lease and a standby poll: its first listing and reads, on a busy machine.</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromSeconds(2.5);

    /// <param name="store">The store, for the test's own writer and for reading the consumer's state.</param>
    /// <param name="logPrefix">The log's prefix in <paramref name="store"/>.</param>
    /// <param name="logArgs">How <c>objlog</c> names the same log (<c>--store URL --log NAME</c>).</param>
    /// <param name="environment">What the processes need in their environment (credentials), if anything.</param>
    /// <param name="kills">How many owners to kill.</param>
    /// <param name="workingDirectory">Where the processes run.</param>
    /// <returns>The takeover times, one per kill.</returns>
    public static async Task<IReadOnlyList<TimeSpan>> RunAsync(IObjectStore store, string logPrefix, IReadOnlyList<string> logArgs, IReadOnlyDictionary<string, string>? environment, int kills, string workingDirectory)
    {
        const string consumer = "killed";
        string[] args = ["tail", .. logArgs, "--consumer", consumer, "--positions", "--lease", Lease.TotalSeconds.ToString(CultureInfo.InvariantCulture), "--checkpoint-every", "7", "--interval", "0.5"];
        await using var writer = new AppendLog(store, logPrefix, new AppendLogOptions { FlushThreshold = 5, FlushInterval = TimeSpan.FromMilliseconds(100) });
        int appended = 0;
        using var stopWriting = new CancellationTokenSource();
        Task writing = Task.Run(async () =>
        {
            while (!stopWriting.IsCancellationRequested)
            {
                await writer.AppendAsync(Encoding.UTF8.GetBytes($"{{\"n\":{appended}}}"));
                appended++;
                await Task.Delay(4);
            }

            await writer.FlushAsync();
        });

        var children = new List<FollowingObjlog>();
        var committed = new HashSet<int>(); // events an owner printed at or before a position it committed
        var committedWhenTakenOver = new Dictionary<FollowingObjlog, HashSet<int>>();
        var takeovers = new List<TimeSpan>();
        try
        {
            FollowingObjlog Start()
            {
                FollowingObjlog child = FollowingObjlog.Start(workingDirectory, args, environment);
                children.Add(child);
                return child;
            }

            FollowingObjlog a = Start(), b = Start();
            FollowingObjlog owner = await FirstToPrintAsync([a, b], TimeSpan.FromSeconds(60), "the first owner");
            FollowingObjlog standby = owner == a ? b : a;
            committedWhenTakenOver[owner] = [];
            for (int k = 0; k < kills; k++)
            {
                await WaitForLinesAsync(owner, 20, TimeSpan.FromSeconds(30));
                await WaitUntilStandingByAsync(standby, owner, TimeSpan.FromSeconds(60), $"the standby before kill {k + 1}");
                await owner.KillAsync();
                long killedAt = Stopwatch.GetTimestamp();
                if (await CommittedPositionAsync(store, writer.KeyPrefix, consumer) is { } position)
                {
                    IReadOnlyList<(string Position, int N)> printed = Parse(owner);
                    int upTo = printed.Select(p => p.Position).ToList().LastIndexOf(position.ToString());
                    committed.UnionWith(printed.Take(upTo + 1).Select(p => p.N));
                }

                await FirstToPrintAsync([standby], TimeSpan.FromSeconds(60), $"the standby after kill {k + 1}");
                takeovers.Add(Stopwatch.GetElapsedTime(killedAt, standby.FirstLineAt!.Value));
                committedWhenTakenOver[standby] = [.. committed];
                owner = standby;
                standby = Start();
            }

            await stopWriting.CancelAsync();
            await writing;
            int total = appended;
            var deadline = Stopwatch.StartNew();
            while (children.SelectMany(Parse).Select(p => p.N).Distinct().Count() < total && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(200);
            }

            int[] missing = [.. Enumerable.Range(0, total).Except(children.SelectMany(Parse).Select(p => p.N))];
            Assert.True(missing.Length == 0, $"{missing.Length} of {total} events were never printed, such as {string.Join(", ", missing.Take(5))}.\n{Describe(children)}");
            foreach ((FollowingObjlog child, HashSet<int> before) in committedWhenTakenOver)
            {
                int[] again = [.. Parse(child).Select(p => p.N).Where(before.Contains)];
                Assert.True(again.Length == 0, $"A new owner printed {again.Length} events an earlier owner had committed, such as {string.Join(", ", again.Take(5))}.\n{Describe(children)}");
            }

            TimeSpan bound = Lease + Lease / 6 + Slack;
            Assert.True(takeovers.All(t => t <= bound), $"Takeovers took {string.Join(", ", takeovers.Select(t => $"{t.TotalSeconds:F2} s"))}; each should be within {bound.TotalSeconds:F2} s (the lease, a standby poll, and {Slack.TotalSeconds} s for a first read).");
            Assert.True(committed.Count > 0, "No owner had committed anything when it was killed: the loop proved nothing about redelivery.");
            return takeovers;
        }
        finally
        {
            await stopWriting.CancelAsync();
            foreach (FollowingObjlog child in children)
            {
                child.Dispose();
            }
        }
    }

    private static async Task<LogPosition?> CommittedPositionAsync(IObjectStore store, string keyPrefix, string consumer)
    {
        string key = ConsumerNames.Key(keyPrefix, consumer);
        VersionedObject state = await store.GetVersionedAsync(key);
        return ConsumerState.Parse(key, state.Content).Position;
    }

    private static async Task<FollowingObjlog> FirstToPrintAsync(IReadOnlyList<FollowingObjlog> candidates, TimeSpan timeout, string who)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (candidates.Where(c => c.FirstLineAt is not null).MinBy(c => c.FirstLineAt) is { } first)
            {
                return first;
            }

            Assert.True(waited.Elapsed < timeout, $"{who} printed nothing in {timeout.TotalSeconds} s.\n{Describe(candidates)}");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Waits until <paramref name="standby"/> says it is waiting for <paramref name="owner"/> (its owner id begins with
    /// the machine's name and the process id), so a takeover is timed from a standby that already watches the lease,
    /// not from the start of a process.
    /// </summary>
    private static async Task WaitUntilStandingByAsync(FollowingObjlog standby, FollowingObjlog owner, TimeSpan timeout, string who)
    {
        string says = $"is held by {Environment.MachineName}-{owner.ProcessId}-";
        var waited = Stopwatch.StartNew();
        while (!standby.Error.Contains(says, StringComparison.Ordinal))
        {
            Assert.True(waited.Elapsed < timeout, $"{who} did not say '{says}…' in {timeout.TotalSeconds} s.\n{Describe([standby])}");
            await Task.Delay(20);
        }
    }

    private static async Task WaitForLinesAsync(FollowingObjlog child, int count, TimeSpan timeout)
    {
        int start = child.Lines.Count;
        var waited = Stopwatch.StartNew();
        while (child.Lines.Count < start + count && waited.Elapsed < timeout)
        {
            await Task.Delay(20);
        }
    }

    /// <summary>Each printed line, <c>{position}\t{"n":…}</c>, as its position and event number.</summary>
    private static IReadOnlyList<(string Position, int N)> Parse(FollowingObjlog child)
        => [.. child.Lines.Select(line =>
        {
            string[] parts = line.Split('\t', 2);
            using JsonDocument e = JsonDocument.Parse(parts[1]);
            return (parts[0], e.RootElement.GetProperty("n").GetInt32());
        })];

    private static string Describe(IEnumerable<FollowingObjlog> children)
        => string.Join('\n', children.Select((c, i) => $"process {i}: {c.Lines.Count} lines; stderr: {c.Error.Trim()}"));
}
