using CsCheck;
using Microsoft.Extensions.Time.Testing;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>
/// Random sequences of appends, flushes, compactions, crashes, reopenings and injected store faults (before and
/// after the store acts), some run concurrently, against a fault-injecting store. Every read is compared with a
/// plain model: per writer instance, the events it appended, and how many of them a successful flush acknowledged.
/// CsCheck prints the seed of a failing sequence; set CsCheck_Seed to replay it.
/// </summary>
public static class AppendLogModel
{
    private const int Writers = 3;

    private abstract record Op;

    private sealed record Append(int Writer, int Count) : Op;

    private sealed record Flush(int Writer) : Op;

    private sealed record Compact(int Writer) : Op;

    private sealed record CompactTiered(int Writer, int FanIn) : Op;

    private sealed record Crash(int Writer) : Op;

    private sealed record Read(int Writer) : Op;

    private sealed record FaultSoon(int Calls, bool AfterSuccess) : Op;

    private sealed record AppendWhileCompacting(int Writer) : Op;

    /// <summary>Appends without waiting: several batches sealed at once, stored concurrently, joined when slots are busy.</summary>
    private sealed record TryAppendBurst(int Writer, int Count) : Op;

    /// <summary>For the next calls, each store call fails (before or after it acts) with the given chance in 100.</summary>
    private sealed record Flaky(int Calls, int Percent) : Op;

    /// <summary>Trims at the start of this operation: every batch of an earlier operation goes, none of a later one.</summary>
    private sealed record Trim(int Writer) : Op;

    /// <summary>Reads the stored events of the batches of operations [Back ops ago, Back - Length ops ago), or to the end.</summary>
    private sealed record ReadRange(int Writer, int Back, int? Length) : Op;

    /// <summary>A byte inside an event of a stored object changes (framing intact), a reader reads, and the object is put back.</summary>
    private sealed record Damage(int Pick) : Op;

    private static readonly Gen<Op> AnyOp = Gen.Frequency(
        (10, Gen.Select(Gen.Int[0, Writers - 1], Gen.Int[1, 5], (w, n) => (Op)new Append(w, n))),
        (3, Gen.Int[0, Writers - 1].Select(w => (Op)new Flush(w))),
        (3, Gen.Int[0, Writers - 1].Select(w => (Op)new Compact(w))),
        (3, Gen.Select(Gen.Int[0, Writers - 1], Gen.Int[2, 3], (w, f) => (Op)new CompactTiered(w, f))),
        (1, Gen.Int[0, Writers - 1].Select(w => (Op)new Crash(w))),
        (3, Gen.Int[0, Writers - 1].Select(w => (Op)new Read(w))),
        (3, Gen.Select(Gen.Int[1, 8], Gen.Bool, (n, after) => (Op)new FaultSoon(n, after))),
        (2, Gen.Int[0, Writers - 1].Select(w => (Op)new AppendWhileCompacting(w))),
        (4, Gen.Select(Gen.Int[0, Writers - 1], Gen.Int[1, 20], (w, n) => (Op)new TryAppendBurst(w, n))),
        (2, Gen.Select(Gen.Int[1, 30], Gen.Int[10, 60], (n, p) => (Op)new Flaky(n, p))),
        (2, Gen.Int[0, Writers - 1].Select(w => (Op)new Trim(w))),
        (2, Gen.Select(Gen.Int[0, Writers - 1], Gen.Int[0, 30], Gen.Int[0, 12], (w, back, length) => (Op)new ReadRange(w, back, length == 0 ? null : length))),
        (1, Gen.Int[0, 1000].Select(pick => (Op)new Damage(pick))));

    /// <summary>
    /// Runs <paramref name="sequences"/> random sequences against <paramref name="inner"/>, each under its own
    /// prefix, so any store (a shared server included) can be checked against the model.
    /// </summary>
    public static Task RunRandomSequencesAsync(IObjectStore inner, int sequences, int maxOperations)
        => RunRandomSequencesAsync(() => inner, sequences, maxOperations);

    /// <summary>The same, with a fresh store from <paramref name="newStore"/> for each sequence.</summary>
    public static Task RunRandomSequencesAsync(Func<IObjectStore> newStore, int sequences, int maxOperations)
        => AnyOp.Array[1, maxOperations].SampleAsync(ops => RunAsync(ops, newStore(), $"model-{Guid.NewGuid():N}"), iter: sequences, threads: 1);

    private static async Task RunAsync(Op[] ops, IObjectStore inner, string prefix)
    {
        var store = new FaultInjectingObjectStore(inner) { Reorder = true }; // calls finish in random order, so concurrent PUTs land out of order
        var model = new Model(prefix);
        var live = new Instance?[Writers];

        Instance Get(int w) => live[w] ??= model.Open(store);

        foreach (Op op in ops)
        {
            model.Clock.Advance(TimeSpan.FromSeconds(1)); // operation k runs at T0 + k s: a cutoff half a second before it splits the log between operations
            model.Op++;
            switch (op)
            {
                case Trim t:
                    Instance trimmer = Get(t.Writer);
                    model.BeforeTrim();
                    model.MaybeCut = model.Op;
                    if (await Tolerate(async () => await trimmer.Log.TrimAsync(model.TimeOf(model.Op))) is not null)
                    {
                        model.CertainCut = model.Op;
                    }

                    break;
                case ReadRange r:
                    await ReadRangeAsync(Get(r.Writer), model, r);
                    break;
                case Damage d:
                    await DamageAsync(inner, prefix, model, d.Pick);
                    break;
                case Append a:
                    await AppendAsync(Get(a.Writer), a.Count);
                    break;
                case Flush f:
                    await FlushAsync(Get(f.Writer));
                    break;
                case Compact c:
                    await Tolerate(() => Get(c.Writer).Log.CompactAsync());
                    break;
                case CompactTiered t:
                    await Tolerate(() => Get(t.Writer).Log.CompactAsync(CompactionPolicy.SizeTiered(t.FanIn, minObjectBytes: 16)));
                    break;
                case Crash c:
                    live[c.Writer] = null; // abandoned without dispose: unflushed events may be lost, acknowledged ones may not
                    break;
                case Read r:
                    Instance reader = Get(r.Writer);
                    IReadOnlyList<byte[]>? events = await Tolerate(() => reader.Log.ReadAllAsync());
                    if (events is not null)
                    {
                        model.Check(Texts(events), reader);
                    }

                    List<LogEvent>? stored = await Tolerate(async () =>
                    {
                        var list = new List<LogEvent>();
                        await foreach (LogEvent e in reader.Log.ReadEventsAsync())
                        {
                            list.Add(e);
                        }

                        return list;
                    });
                    if (stored is not null)
                    {
                        model.Check(Texts(stored.Select(e => e.Data)), null); // the store's view: no buffer
                        Assert.True(stored.Zip(stored.Skip(1)).All(p => p.First.Position < p.Second.Position), "positions must increase");
                    }

                    break;
                case FaultSoon f:
                    store.FailNthCall(f.Calls, f.AfterSuccess ? Fault.FailAfter : Fault.FailBefore);
                    break;
                case Flaky f:
                    store.FailRandomly(f.Calls, f.Percent / 100.0);
                    break;
                case TryAppendBurst b:
                    Instance burster = Get(b.Writer);
                    for (int i = 0; i < b.Count; i++)
                    {
                        string e = $"i{burster.Id}-{burster.Appended.Count}";
                        Assert.True(burster.Log.TryAppend(E(e)), "the buffer is far from full");
                        burster.Appended.Add(e);
                        burster.AppendedAt.Add(model.Op);
                    }

                    break;
                case AppendWhileCompacting x:
                    Instance writer = Get(x.Writer);
                    Instance compactor = Get((x.Writer + 1) % Writers);
                    await Task.WhenAll(
                        Task.Run(async () =>
                        {
                            await AppendAsync(writer, 4);
                            await FlushAsync(writer);
                        }),
                        Task.Run(() => Tolerate(() => compactor.Log.CompactAsync())));
                    break;
            }
        }

        store.FailWhen(null);
        await using (var fresh = new AppendLog(store, prefix, Quiet()))
        {
            model.Check(Texts(await fresh.ReadAllAsync()), null);
            await fresh.CompactAsync();
            model.Check(Texts(await fresh.ReadAllAsync()), null);
        }

        foreach (Instance? instance in live)
        {
            if (instance is not null)
            {
                await instance.Log.DisposeAsync(); // flushes: everything it appended is now acknowledged
                instance.Acked = instance.Appended.Count;
                if (instance.SafeFrom == int.MaxValue)
                {
                    instance.SafeFrom = instance.Appended.Count;
                }
            }
        }

        await using var final = new AppendLog(store, prefix, Quiet());
        model.Check(Texts(await final.ReadAllAsync()), null);
    }

    /// <summary>
    /// Damages one checksummed data object in place: a reader then either does not read it (superseded, or not
    /// committed) and returns the model's log, or fails naming exactly that key; it never returns the damaged event.
    /// The object is then put back as it was.
    /// </summary>
    private static async Task DamageAsync(IObjectStore inner, string prefix, Model model, int pick)
    {
        List<ObjectMeta> data = (await inner.ListSortedAsync(prefix + "/"))
            .Where(m => ObjectLog.Internal.LogObjectName.TryParse(m.Key[(prefix.Length + 1)..], out var n) && n.Crc is not null
                && n.Kind is ObjectLog.Internal.LogObjectKind.Batch or ObjectLog.Internal.LogObjectKind.Merged)
            .ToList();
        if (data.Count == 0)
        {
            return;
        }

        string key = data[pick % data.Count].Key;
        byte[] original = await inner.GetBytesAsync(key);
        byte[] damaged = (byte[])original.Clone();
        int at = Enumerable.Range(0, damaged.Length).Select(i => (i + pick) % damaged.Length).First(i => char.IsAsciiDigit((char)damaged[i]));
        damaged[at] = (byte)('0' + ((damaged[at] - '0' + 1) % 10)); // another digit: still valid JSON Lines
        await inner.PutAsync(key, damaged);
        try
        {
            await using var reader = new AppendLog(inner, prefix, Quiet());
            IReadOnlyList<byte[]> events;
            try
            {
                events = await reader.ReadAllAsync();
            }
            catch (CorruptObjectException e)
            {
                Assert.Equal(key, e.Key);
                return;
            }

            model.Check(Texts(events), null);
        }
        finally
        {
            await inner.PutAsync(key, original);
        }
    }

    private static async Task AppendAsync(Instance instance, int count)
    {
        for (int i = 0; i < count; i++)
        {
            string e = $"i{instance.Id}-{instance.Appended.Count}";
            instance.Appended.Add(e); // appended even if storing the batch it filled fails
            instance.AppendedAt.Add(instance.Model.Op);
            await Tolerate(async () =>
            {
                await instance.Log.AppendAsync(E(e));
                return true;
            });
        }
    }

    private static async Task FlushAsync(Instance instance)
    {
        int appended = instance.Appended.Count;
        if (await Tolerate(async () =>
        {
            await instance.Log.FlushAsync();
            return true;
        }))
        {
            instance.Acked = Math.Max(instance.Acked, appended);
            if (instance.SafeFrom == int.MaxValue)
            {
                instance.SafeFrom = appended; // every later event is in a batch opened after the flush, after any cutoff
            }
        }
    }

    /// <summary>A time-range read lies between a full read just before it and one just after (PUTs may still land), filtered by batch time.</summary>
    private static async Task ReadRangeAsync(Instance reader, Model model, ReadRange r)
    {
        DateTimeOffset from = model.TimeOf(Math.Max(0, model.Op - r.Back));
        DateTimeOffset? until = r.Length is { } n ? from.AddSeconds(n) : null;
        List<LogEvent>? before = await Tolerate(() => ToListAsync(reader.Log.ReadEventsAsync()));
        List<LogEvent>? range = await Tolerate(() => ToListAsync(reader.Log.ReadEventsAsync(from, until)));
        List<LogEvent>? after = await Tolerate(() => ToListAsync(reader.Log.ReadEventsAsync()));
        if (before is null || range is null || after is null)
        {
            return;
        }

        bool InRange(LogEvent e) => e.Position.BatchTime >= from && (until is null || e.Position.BatchTime < until);
        Assert.All(range, e => Assert.True(InRange(e), $"{e.Position} is outside [{from:O}, {until:O})"));
        Assert.True(range.Zip(range.Skip(1)).All(p => p.First.Position < p.Second.Position), "positions must increase");
        HashSet<LogPosition> read = range.Select(e => e.Position).ToHashSet();
        Assert.Subset(read, before.Where(InRange).Select(e => e.Position).ToHashSet());
        Assert.Subset(after.Where(InRange).Select(e => e.Position).ToHashSet(), read);
    }

    private static async Task<T?> Tolerate<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (InjectedFaultException)
        {
            return default;
        }
    }

    private sealed class Instance(int id, AppendLog log, Model model)
    {
        public int Id { get; } = id;

        public AppendLog Log { get; } = log;

        public Model Model { get; } = model;

        public List<string> Appended { get; } = [];

        /// <summary>The operation during which each event was appended: its batch's time is at or before that operation's.</summary>
        public List<int> AppendedAt { get; } = [];

        public int Acked { get; set; }

        /// <summary>
        /// From which event on a trim cannot have taken this instance's events: 0 until a trim, then none (its open
        /// batch, named before the cutoff, may take later events) until a flush succeeds, which seals that batch.
        /// </summary>
        public int SafeFrom { get; set; }
    }

    private sealed class Model(string prefix)
    {
        private readonly List<Instance> _all = [];

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        /// <summary>The operation running now, from 1.</summary>
        public int Op { get; set; }

        /// <summary>The operation of the latest trim that may have committed (0: none); events of earlier operations may be gone.</summary>
        public int MaybeCut { get; set; }

        /// <summary>The operation of the latest trim known to have committed; events of earlier operations must be gone.</summary>
        public int CertainCut { get; set; }

        /// <summary>Half a second before operation <paramref name="op"/> started.</summary>
        public DateTimeOffset TimeOf(int op) => Clock.Start.AddSeconds(op).AddMilliseconds(-500);

        /// <summary>An instance's open batch (named before the cutoff) may take later events: none is required until a flush succeeds.</summary>
        public void BeforeTrim() => _all.ForEach(i => i.SafeFrom = int.MaxValue);

        public Instance Open(IObjectStore store)
        {
            AppendLogOptions options = Quiet(threshold: 3);
            options.TimeProvider = Clock;
            options.MaxConcurrentPuts = 1 + (_all.Count % 4 * 2); // 1, 3, 5, 7: one at a time as well as pipelined
            var instance = new Instance(_all.Count, new AppendLog(store, prefix, options), this);
            _all.Add(instance);
            return instance;
        }

        /// <summary>
        /// Every event at most once; per instance, what it appended in append order (a subsequence: with PUTs in
        /// flight concurrently, a batch whose PUT failed may be missing while later ones landed) holding at least
        /// what a flush acknowledged; and for the reading instance, everything it appended (its buffer included).
        /// </summary>
        public void Check(string[] read, Instance? reader)
        {
            Assert.Equal(read.Length, read.Distinct().Count());
            int accounted = 0;
            foreach (Instance instance in _all)
            {
                string tag = $"i{instance.Id}-";
                string[] mine = read.Where(e => e.StartsWith(tag, StringComparison.Ordinal)).ToArray();
                accounted += mine.Length;
                AssertInOrderOnce(instance.Appended, mine);
                var present = new HashSet<string>(mine);
                for (int i = 0; i < instance.Appended.Count; i++)
                {
                    if (instance.AppendedAt[i] < CertainCut)
                    {
                        Assert.False(present.Contains(instance.Appended[i]), $"instance {instance.Id}: {instance.Appended[i]} was trimmed (before operation {CertainCut}) but reads back");
                    }
                    else if ((i < instance.Acked || instance == reader) && instance.AppendedAt[i] >= MaybeCut && i >= instance.SafeFrom)
                    {
                        Assert.True(present.Contains(instance.Appended[i]), $"instance {instance.Id}: {instance.Appended[i]} (acknowledged, or the reader's own, and after every cutoff) is missing");
                    }
                }
            }

            Assert.Equal(read.Length, accounted);
        }
    }
}
