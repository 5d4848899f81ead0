using Microsoft.Extensions.Time.Testing;
using ObjectLog.Internal;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Consumers.Consuming;

namespace ObjectLog.Tests.Consumers;

/// <summary>
/// "Two owners never both commit": processes, each with its own fake clock run at its own rate, paused for longer than
/// the lease, crashed and restarted, take one consumer name from each other over a store that fails reads and writes
/// of the consumer's state at random (before they act, or after: a timeout whose write landed). Every commit that
/// returned is checked against the store's true history of the state object.
/// </summary>
public sealed class ConsumerOwnershipModelTests
{
    private const string Name = "model";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 30)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Two_owners_never_both_commit_and_every_event_is_delivered(int seed)
    {
        var rng = new Random(seed);
        var faults = new Random(seed * 7919);
        var inner = new InMemoryObjectStore();
        string key = ConsumerNames.Key("m/", Name);
        var history = new HistoryStore(inner, key);
        var faulty = new FaultInjectingObjectStore(history);
        faulty.FailWhen((call, k) =>
        {
            if (k != key)
            {
                return null;
            }

            lock (faults)
            {
                return faults.NextDouble() < 0.15 ? (faults.Next(2) == 0 ? Fault.FailBefore : Fault.FailAfter) : null;
            }
        });

        var model = new Model();
        await using var writer = new AppendLog(inner, "m", Fast());
        var appended = new List<string>();
        async Task AppendAsync(int count)
        {
            string[] batch = [.. Enumerable.Range(appended.Count, count).Select(i => $"e{i}")];
            appended.AddRange(batch);
            await AppendBatchAsync(writer, batch);
        }

        await AppendAsync(3);
        await AppendAsync(3);

        using var stop = new CancellationTokenSource();
        var processes = new List<Process>();
        Process Start()
        {
            var p = new Process(processes.Count, faulty, rng.Next(), 0.7 + (0.6 * rng.NextDouble()));
            p.Loop = Task.Run(() => p.RunAsync(model, stop.Token));
            processes.Add(p);
            return p;
        }

        for (int i = 0; i < 3; i++)
        {
            Start();
        }

        for (int step = 0; step < 70; step++)
        {
            foreach (Process p in processes.Where(p => !p.Dead && step >= p.PausedUntil))
            {
                p.Clock.Advance(Step * p.Rate);
            }

            List<Process> alive = [.. processes.Where(p => !p.Dead)];
            int r = rng.Next(100);
            if (r < 4)
            {
                alive[rng.Next(alive.Count)].PausedUntil = step + rng.Next(5, 30); // up to three leases
            }
            else if (r < 6)
            {
                alive[rng.Next(alive.Count)].Dead = true; // its clock stops for good: a crash
                Start();
            }
            else if (r < 12)
            {
                await AppendAsync(rng.Next(1, 4));
            }

            await Task.Delay(1);
        }

        // Wind down: no more faults; the live processes stop reading and dispose (committing and releasing).
        faulty.FailWhen(null);
        await stop.CancelAsync();
        Task stopped = Task.WhenAll(processes.Where(p => !p.Dead).Select(p => p.Loop!));
        for (int i = 0; i < 200 && !stopped.IsCompleted; i++)
        {
            foreach (Process p in processes.Where(p => !p.Dead))
            {
                p.Clock.Advance(Step);
            }

            await Task.Delay(1);
        }

        Assert.True(stopped.IsCompleted, "the live processes did not stop");
        await stopped;

        // A last instance takes the name (after the lease of a crashed owner runs out) and reads everything left.
        // It commits each event it delivers, and gets two new ones, so every run ends with commits to check.
        await AppendAsync(2);
        using var drain = new CancellationTokenSource();
        var last = new Process(processes.Count, faulty, rng.Next(), 1.0) { CommitEvery = 1, CommitsEach = true };
        last.Loop = Task.Run(() => last.RunAsync(model, drain.Token));
        for (int i = 0; i < 200 && !(appended.All(model.WasDelivered) && model.HasCommits); i++)
        {
            last.Clock.Advance(Step * 2);
            await Task.Delay(1);
        }

        await drain.CancelAsync();
        for (int i = 0; i < 100 && !last.Loop.IsCompleted; i++)
        {
            last.Clock.Advance(Step);
            await Task.Delay(1);
        }

        await last.Loop.WaitAsync(TimeSpan.FromSeconds(10));
        model.Check(history.Writes.Select(w => ConsumerState.Parse(key, w)).ToList(), appended);
    }

    /// <summary>A process: its own clock and log, running one consumer after another until it crashes or is stopped.</summary>
    private sealed class Process(int id, IObjectStore store, int seed, double rate)
    {
        private readonly Random _rng = new(seed);

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        public double Rate => rate;

        public int PausedUntil { get; set; }

        public volatile bool Dead;

        public int? CommitEvery { get; init; }

        /// <summary>Whether it commits every event it delivers, rather than some at random.</summary>
        public bool CommitsEach { get; init; }

        public Task? Loop { get; set; }

        public async Task RunAsync(Model model, CancellationToken stop)
        {
            await using var log = new AppendLog(store, "m", new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan, TailPollInterval = Step, TimeProvider = Clock });
            string? ownerId = null;
            while (!stop.IsCancellationRequested && !Dead)
            {
                LogConsumer consumer = log.CreateConsumer(Name, new LogConsumerOptions
                {
                    LeaseDuration = Lease,
                    StandbyPollInterval = Step,
                    CheckpointEveryEvents = CommitEvery ?? _rng.Next(0, 4),
                    CheckpointInterval = Timeout.InfiniteTimeSpan,
                    OwnerId = _rng.Next(2) == 0 ? ownerId : null, // a restart of the same owner takes its lease at once
                });
                ownerId = consumer.OwnerId;
                try
                {
                    await foreach (LogEvent e in consumer.ReadAsync(stop))
                    {
                        if (Dead)
                        {
                            return; // crashed: the consumer object is left as it is
                        }

                        long epoch = consumer.Epoch;
                        model.Delivered(consumer.OwnerId, epoch, e.Position, Text(e));
                        int action = _rng.Next(20);
                        if (action < 6 || CommitsEach)
                        {
                            long started = model.Tick();
                            try
                            {
                                await consumer.CommitAsync(e.Position, CancellationToken.None);
                                model.Committed(consumer.OwnerId, epoch, e.Position, started);
                            }
                            catch (Exception x) when (x is ConsumerFencedException or ObjectStoreException)
                            {
                            }
                        }
                        else if (action == 6)
                        {
                            break; // a graceful restart
                        }
                    }
                }
                catch (Exception x) when (x is ConsumerFencedException or ObjectStoreException || (x is OperationCanceledException && stop.IsCancellationRequested))
                {
                }

                if (!Dead)
                {
                    await consumer.DisposeAsync();
                }
            }
        }

        public override string ToString() => $"process {id}";
    }

    /// <summary>What the processes saw and did, in the order they did it.</summary>
    private sealed class Model
    {
        private readonly Lock _gate = new();
        private readonly List<(string Owner, long Epoch, LogPosition Position, string Text, long Tick)> _delivered = [];
        private readonly List<(string Owner, long Epoch, LogPosition Position, long Started, long Returned)> _commits = [];
        private readonly Dictionary<long, long> _epochSeen = []; // epoch → tick its owner first delivered (after its take returned)
        private readonly HashSet<string> _texts = [];
        private long _tick;

        public long Tick() => Interlocked.Increment(ref _tick);

        public bool WasDelivered(string text)
        {
            lock (_gate)
            {
                return _texts.Contains(text);
            }
        }

        public void Delivered(string owner, long epoch, LogPosition position, string text)
        {
            long tick = Tick();
            lock (_gate)
            {
                _delivered.Add((owner, epoch, position, text, tick));
                _texts.Add(text);
                _epochSeen.TryAdd(epoch, tick);
            }
        }

        public bool HasCommits
        {
            get
            {
                lock (_gate)
                {
                    return _commits.Count > 0;
                }
            }
        }

        public void Committed(string owner, long epoch, LogPosition position, long started)
        {
            long returned = Tick();
            lock (_gate)
            {
                _commits.Add((owner, epoch, position, started, returned));
            }
        }

        public void Check(List<ConsumerState> history, IReadOnlyList<string> appended)
        {
            Assert.NotEmpty(_commits);

            // (a) The store's history: epochs never go back, and one owner writes per epoch. So once an instance
            // took over, no earlier owner's write landed.
            for (int i = 1; i < history.Count; i++)
            {
                Assert.True(history[i].Epoch >= history[i - 1].Epoch, $"write {i} has epoch {history[i].Epoch} after epoch {history[i - 1].Epoch}: a fenced owner's write landed");
            }

            foreach (IGrouping<long, ConsumerState> epoch in history.GroupBy(s => s.Epoch))
            {
                Assert.True(epoch.Select(s => s.Owner).OfType<string>().Distinct().Count() <= 1, $"epoch {epoch.Key} was written by {string.Join(", ", epoch.Select(s => s.Owner).Distinct())}");
            }

            // Every commit that returned landed, in its owner's epoch, and none started after a later epoch's owner
            // was delivering returned.
            foreach ((string owner, long epoch, LogPosition position, long started, _) in _commits)
            {
                Assert.Contains(history, s => s.Owner == owner && s.Epoch == epoch && s.Position == position);
                Assert.DoesNotContain(_epochSeen, seen => seen.Key > epoch && seen.Value < started);
            }

            // (b) The committed position never goes back (the log is stored in order, so delivery order is log order).
            LogPosition? previous = null;
            foreach ((ConsumerState s, int i) in history.Select((s, i) => (s, i)))
            {
                Assert.True(Compare(s.Position, previous) >= 0, $"the committed position went back from {previous} to {s.Position}; the writes before, as stored: {string.Join(" | ", history.Take(i + 1).TakeLast(4).Select(h => System.Text.Encoding.UTF8.GetString(h.ToJson())))}");
                previous = s.Position;
            }

            // (c) Every event was delivered at least once, and nothing at or before a commit that returned was
            // delivered again by a later owner.
            Assert.DoesNotContain(appended, t => !_texts.Contains(t));
            foreach ((_, long epoch, LogPosition position, _, _) in _commits)
            {
                Assert.DoesNotContain(_delivered, d => d.Epoch > epoch && d.Position <= position);
            }
        }

        private static int Compare(LogPosition? a, LogPosition? b)
            => a is null ? (b is null ? 0 : -1) : b is null ? 1 : a.Value.CompareTo(b.Value);
    }
}
