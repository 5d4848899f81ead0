using CsCheck;
using Microsoft.Extensions.Time.Testing;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>
/// Random sequences of appends, flushes, compactions, trims, crashes, reopenings and injected store faults (before and
/// after the store acts), some run concurrently, against a fault-injecting store whose clock the test moves. Every
/// writer instance has a clock of its own, off the store's by up to a day and jumping back and forth, and some
/// operations stall for longer than every grace period while another process collects garbage or trims. Every read is
/// compared with a plain model: per writer instance, the events it appended, when a flush acknowledged each, and
/// which trims may have committed. CsCheck prints the seed of a failing sequence; set CsCheck_Seed to replay it.
/// </summary>
/// <remarks>
/// The model's time is the store's: each operation starts <see cref="Step"/> after the last (more after a stall), and
/// a trim at operation j cuts half a step before it. Writers name batches within 30 seconds of the store's clock
/// whatever their own says, so a batch named at an earlier operation is always before the cutoff and one named at or
/// after j never is. The invariant: every event is read at most once, in its writer's order; an event acknowledged
/// before a trim that committed, and appended before it, is gone; every acknowledged event appended at or after
/// every trim that may have committed is read (a trim hides only what was stored before it, whatever the names).
/// </remarks>
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

    /// <summary>The writer's clock moves to this offset from the store's: seconds, or up to a day either way.</summary>
    private sealed record Skew(int Writer, int Seconds) : Op;

    /// <summary>
    /// The writer stores its batches, and its compactions their merged data, as this says from its next opening (it
    /// first opens with writer index mod 3: None, Gzip, Zstd), so one prefix mixes plain, gzip and zstd objects.
    /// </summary>
    private sealed record Recode(int Writer, LogCompression Compression) : Op;

    /// <summary>
    /// The writer compacts and stalls before its manifest for longer than every grace period, while the collector
    /// repairs (collects garbage) or trims; then the compaction goes on. Nothing acknowledged may be lost.
    /// </summary>
    private sealed record StalledCompaction(int Writer, int Collector, bool Trim) : Op;

    /// <summary>
    /// The writer appends and flushes; its batch's PUT stalls for longer than every grace period, during which the
    /// trimmer trims just below the store's time (so past the batch's name). The flush then succeeds, and the events
    /// must read back: the trim was stored before them. Only that flush's PUT stalls (not another instance's still in
    /// flight), so the trim is over before the next operation; none if the writer's earlier flush failed.
    /// </summary>
    private sealed record StalledPut(int Writer, int Trimmer) : Op;

    /// <summary>A trim record from the future is placed by hand (by an older version, say): it must hide nothing.</summary>
    private sealed record ForgedTrim(int DaysAhead) : Op;

    /// <summary>The writer trims by its own clock (what <c>objlog trim --keep</c> did): refused when that is later than the store's.</summary>
    private sealed record LocalClockTrim(int Writer, int KeepSeconds) : Op;

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
        (1, Gen.Int[0, 1000].Select(pick => (Op)new Damage(pick))),
        (2, Gen.Select(Gen.Int[0, Writers - 1], Gen.Int[0, 2], (w, c) => (Op)new Recode(w, (LogCompression)c))),
        (3, Gen.Select(Gen.Int[0, Writers - 1], Gen.Frequency((2, Gen.Int[-25, 25]), (1, Gen.Int[-86_400, 86_400])), (w, sec) => (Op)new Skew(w, sec))),
        (1, Gen.Select(Gen.Int[0, Writers - 1], Gen.Int[1, Writers - 1], Gen.Bool, (w, d, trim) => (Op)new StalledCompaction(w, (w + d) % Writers, trim))),
        (1, Gen.Select(Gen.Int[0, Writers - 1], Gen.Int[1, Writers - 1], (w, d) => (Op)new StalledPut(w, (w + d) % Writers))),
        (1, Gen.Int[1, 400].Select(days => (Op)new ForgedTrim(days))),
        (1, Gen.Select(Gen.Int[0, Writers - 1], Gen.Int[0, 120], (w, keep) => (Op)new LocalClockTrim(w, keep))));

    /// <summary>How far the store's clock moves between operations.</summary>
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(2);

    /// <summary>How long a stall lasts: longer than every grace period (abandoned merges, the commit window).</summary>
    private static readonly TimeSpan Stall = TimeSpan.FromHours(2);

    /// <summary>
    /// Runs <paramref name="sequences"/> random sequences against <paramref name="inner"/>, each under its own
    /// prefix, so any store (a shared server included) can be checked against the model.
    /// </summary>
    public static Task RunRandomSequencesAsync(IObjectStore inner, int sequences, int maxOperations)
        => RunRandomSequencesAsync(() => inner, sequences, maxOperations);

    /// <summary>The same, with a fresh store from <paramref name="newStore"/> for each sequence.</summary>
    public static Task RunRandomSequencesAsync(Func<IObjectStore> newStore, int sequences, int maxOperations)
        => AnyOp.Array[1, maxOperations].SampleAsync(ops => RunPrintingFailuresAsync(ops, newStore(), $"model-{Guid.NewGuid():N}"), iter: sequences, threads: 1);

    /// <summary>With MODEL_DEBUG set, a failing sequence prints its operations and what its prefix holds (CsCheck shows only a summary).</summary>
    private static async Task RunPrintingFailuresAsync(Op[] ops, IObjectStore inner, string prefix)
    {
        try
        {
            await RunAsync(ops, inner, prefix);
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("MODEL_DEBUG") is not null)
        {
            var debug = new System.Text.StringBuilder();
            debug.AppendLine("DEBUG ops " + string.Join(" ", ops.Select((o, i) => $"{i + 1}:{o}")));
            foreach (ObjectMeta m in await inner.ListSortedAsync(prefix + "/"))
            {
                debug.AppendLine($"DEBUG {m.Key} {m.Size}");
                if (m.Key.EndsWith(".json", StringComparison.Ordinal) || m.Size < 200)
                {
                    debug.AppendLine("DEBUG   " + System.Text.Encoding.UTF8.GetString(await inner.GetBytesAsync(m.Key)).Replace("\n", "|", StringComparison.Ordinal));
                }
            }

            Console.Write(debug);
            throw new InvalidOperationException($"{e.Message}{Environment.NewLine}{debug}", e); // xUnit 2 does not show a test's console: the failure carries it
        }
    }

    private static async Task RunAsync(Op[] ops, IObjectStore inner, string prefix)
    {
        var model = new Model(prefix);
        var stamped = new StampingObjectStore(inner, model.Clock); // the store's clock is the model's
        var store = new FaultInjectingObjectStore(stamped) { Reorder = true }; // calls finish in random order, so concurrent PUTs land out of order
        var live = new Instance?[Writers];
        var offsets = new TimeSpan[Writers];
        var compressions = Enumerable.Range(0, Writers).Select(w => (LogCompression)(w % 3)).ToArray();

        Instance Get(int w) => live[w] ??= model.Open(store, offsets[w], compressions[w]);

        foreach (Op op in ops)
        {
            model.NextOp(); // a cutoff half a step before an operation splits the log between operations
            switch (op)
            {
                case Trim t:
                    await TrimAsync(Get(t.Writer), model);
                    break;
                case Recode r:
                    compressions[r.Writer] = r.Compression;
                    break;
                case Skew k:
                    offsets[k.Writer] = TimeSpan.FromSeconds(k.Seconds);
                    if (live[k.Writer] is { } skewed)
                    {
                        skewed.Clock.Offset = offsets[k.Writer];
                    }

                    break;
                case StalledCompaction c:
                    Instance collector = Get(c.Collector);
                    store.BeforeNextCall(
                        (call, key) => call == StoreCall.Put && key.EndsWith(".manifest.json", StringComparison.Ordinal),
                        async () =>
                        {
                            model.Clock.Advance(Stall);
                            if (c.Trim)
                            {
                                await TrimAsync(collector, model);
                            }
                            else
                            {
                                await Tolerate(() => collector.Log.CompactAsync(CompactionPolicy.Nothing)); // verify --repair
                            }
                        });
                    await Tolerate(() => Get(c.Writer).Log.CompactAsync());
                    store.BeforeNextCall((_, _) => false, () => Task.CompletedTask); // a compaction with nothing to merge left it armed
                    break;
                case StalledPut p:
                    foreach (Instance? other in live)
                    {
                        if (other is not null)
                        {
                            await FlushAsync(other); // nothing else in flight: the stall is this writer's batch
                        }
                    }

                    await StalledPutAsync(Get(p.Writer), Get(p.Trimmer), store, model);
                    break;
                case ForgedTrim f:
                    string forged = $"{prefix}/trim_{ObjectLog.Internal.LogObjectName.Microseconds(model.Clock.GetUtcNow().AddDays(f.DaysAhead)):D19}-{Random.Shared.NextInt64():x16}.json";
                    await stamped.PutAsync(forged, "{\"format\":\"objectlog.trim/1\"}"u8.ToArray());
                    break;
                case LocalClockTrim l:
                    Instance local = Get(l.Writer);
                    DateTimeOffset cutoff = local.Clock.GetUtcNow() - TimeSpan.FromSeconds(l.KeepSeconds);
                    if (cutoff > model.Clock.GetUtcNow() + TimeSpan.FromSeconds(1))
                    {
                        Exception refused = await Assert.ThrowsAnyAsync<Exception>(() => local.Log.TrimAsync(cutoff)); // nothing recorded: the model is unchanged
                        Assert.True(refused is ArgumentOutOfRangeException or InjectedFaultException, $"a cutoff ahead of the store's clock must be refused, not: {refused}");
                    }

                    break;
                case ReadRange r:
                    await ReadRangeAsync(Get(r.Writer), model, r);
                    break;
                case Damage d:
                    await DamageAsync(inner, stamped, prefix, model, d.Pick);
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
                        await CheckLastAsync(stamped, prefix, r.Writer);
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
                instance.Acknowledge(instance.Appended.Count, model.Op + 1);
            }
        }

        await using var final = new AppendLog(store, prefix, Quiet());
        model.Check(Texts(await final.ReadAllAsync()), null);
    }

    /// <summary>
    /// The end of the log, from <see cref="AppendLog.ReadLastAsync(int, CancellationToken)"/>, is the end of a full read.
    /// Read past the faults (whose place in the sequence extra calls would shift), and compared only when a second full
    /// read finds the log unchanged (a PUT still in flight from a failed flush may land meanwhile).
    /// </summary>
    private static async Task CheckLastAsync(IObjectStore stamped, string prefix, int pick)
    {
        await using var reader = new AppendLog(stamped, prefix, Quiet());
        IReadOnlyList<byte[]>? events = await Tolerate(() => reader.ReadAllAsync());
        if (events is null)
        {
            return; // damaged: Damage checks what a read says
        }

        int count = pick + (events.Count / (pick + 1)); // some, most or all
        IReadOnlyList<LogEvent> last = await reader.ReadLastAsync(count);
        if (Texts(await reader.ReadAllAsync()).SequenceEqual(Texts(events)))
        {
            Assert.Equal(Texts(events.TakeLast(count)), Texts(last.Select(e => e.Data)));
        }
    }

    /// <summary>A trim at the model's cutoff for this operation: every batch of an earlier operation stored before it goes.</summary>
    private static async Task TrimAsync(Instance trimmer, Model model)
    {
        int op = model.Op, at = model.Trims.Count; // this trim's entry, whatever is recorded while it runs
        model.Trims.Add((op, Certain: false));
        if (await Tolerate(async () => await trimmer.Log.TrimAsync(model.TimeOf(op))) is not null)
        {
            model.Trims[at] = (op, Certain: true);
        }
    }

    /// <summary>See <see cref="StalledPut"/>.</summary>
    private static async Task StalledPutAsync(Instance writer, Instance trimmer, FaultInjectingObjectStore store, Model model)
    {
        if (!await FlushAsync(writer)) // what came before goes its ordinary way
        {
            return; // a batch left over would go in the same flush, maybe before the stalled one and the trim
        }

        int first = writer.Appended.Count;
        StallBatchPutOfFlush(
            store,
            async () =>
            {
                model.Clock.Advance(Stall);
                int op = model.Op, at = model.Trims.Count;
                model.Trims.Add((op, Certain: false));
                if (await Tolerate(async () => await trimmer.Log.TrimAsync(model.Clock.GetUtcNow() - TimeSpan.FromMinutes(1))) is not null) // past the stalled batch's name
                {
                    model.Trims[at] = (op, Certain: true);
                }
            });
        await AppendAsync(writer, 2);
        bool flushed = await FlushAsync(writer, FlushStalledAsync);
        store.BeforeNextCall((_, _) => false, () => Task.CompletedTask);
        if (flushed && await Tolerate(() => writer.Log.ReadAllAsync()) is { } events)
        {
            string[] read = Texts(events);
            for (int i = first; i < writer.Appended.Count; i++)
            {
                Assert.Contains(writer.Appended[i], read); // stored after the trim record, so the trim does not hide it
            }

        }
    }

    /// <summary>
    /// Runs <paramref name="stall"/> inside the next batch PUT of a flush made through <see cref="FlushStalledAsync"/>,
    /// before it reaches the store. Only that flush's PUTs match: a PUT another instance still has in flight (a
    /// crashed writer's, or a retry set off by one) must not take the stall, or it would run in the background while
    /// the sequence goes on, and its trim would land in a later operation than the model records.
    /// </summary>
    internal static void StallBatchPutOfFlush(FaultInjectingObjectStore store, Func<Task> stall)
        => store.BeforeNextCall((call, key) => call == StoreCall.Put && InStalledFlush.Value && key.Contains("/batch_", StringComparison.Ordinal) && !key.Contains('~', StringComparison.Ordinal), stall);

    /// <summary>The flush whose batch PUT <see cref="StallBatchPutOfFlush"/> stalls: the PUTs it starts carry the mark (the execution context flows into them), and it waits for them.</summary>
    internal static async Task FlushStalledAsync(AppendLog log)
    {
        InStalledFlush.Value = true; // restored when this method returns
        await log.FlushAsync();
    }

    /// <summary>Set in the flush of <see cref="FlushStalledAsync"/>, and so in the PUTs it starts.</summary>
    private static readonly AsyncLocal<bool> InStalledFlush = new();

    /// <summary>
    /// Damages one checksummed data object in place: a reader then either does not read it (superseded, or not
    /// committed) and returns the model's log, or fails naming exactly that key; it never returns the damaged event.
    /// The object is then put back as it was.
    /// </summary>
    private static async Task DamageAsync(IObjectStore inner, IObjectStore stamped, string prefix, Model model, int pick)
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
        if (ObjectLog.Internal.LogObjectName.EncodingOfData(key) == LogCompression.None)
        {
            int at = Enumerable.Range(0, damaged.Length).Select(i => (i + pick) % damaged.Length).First(i => char.IsAsciiDigit((char)damaged[i]));
            damaged[at] = (byte)('0' + ((damaged[at] - '0' + 1) % 10)); // another digit: still valid JSON Lines
        }
        else
        {
            damaged[pick % damaged.Length] ^= 0x10; // anywhere in the compressed bytes: header, data or trailer
        }

        await inner.PutAsync(key, damaged);
        try
        {
            await using var reader = new AppendLog(stamped, prefix, Quiet()); // the store's clock and stamps (the damage kept them)
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

    private static async Task<bool> FlushAsync(Instance instance, Func<AppendLog, Task>? flush = null)
    {
        int appended = instance.Appended.Count;
        if (!await Tolerate(async () =>
        {
            await (flush ?? (log => log.FlushAsync()))(instance.Log);
            return true;
        }))
        {
            return false;
        }

        instance.Acknowledge(appended, instance.Model.Op);
        return true;
    }

    /// <summary>
    /// A time-range read lies between a full read just before it and one just after (PUTs may still land, trim records
    /// among them), filtered by batch time; so does the same range read backwards, newest first, and its second page from the middle of the first.
    /// </summary>
    private static async Task ReadRangeAsync(Instance reader, Model model, ReadRange r)
    {
        DateTimeOffset from = model.TimeOf(Math.Max(0, model.Op - r.Back));
        DateTimeOffset? until = r.Length is { } n ? from + (Step * n) : null;
        List<LogEvent>? before = await Tolerate(() => ToListAsync(reader.Log.ReadEventsAsync()));
        List<LogEvent>? range = await Tolerate(() => ToListAsync(reader.Log.ReadEventsAsync(from, until)));
        List<LogEvent>? backward = await Tolerate(() => ToListAsync(reader.Log.ReadEventsBackwardAsync(from, until)));
        LogPosition? middle = backward is { Count: > 1 } ? backward[backward.Count / 2].Position : null;
        List<LogEvent>? older = middle is { } m ? await Tolerate(() => ToListAsync(reader.Log.ReadEventsBackwardAsync(from, until, m))) : null;
        List<LogEvent>? after = await Tolerate(() => ToListAsync(reader.Log.ReadEventsAsync()));
        if (before is null || after is null)
        {
            return;
        }

        bool InRange(LogEvent e) => e.Position.BatchTime >= from && (until is null || e.Position.BatchTime < until);
        // Between the two full reads a stalled PUT may land: a batch (then later reads may hold it) or a trim record
        // (then they may not). So each read holds what both full reads hold, and only what one of them holds.
        HashSet<LogPosition> mayHold = before.Concat(after).Where(InRange).Select(e => e.Position).ToHashSet();
        HashSet<LogPosition> mustHold = before.Where(InRange).Select(e => e.Position).Intersect(after.Select(e => e.Position)).ToHashSet();
        void CheckRead(List<LogEvent>? read, int order, Func<LogEvent, bool> bound, string what)
        {
            if (read is null)
            {
                return;
            }

            Assert.All(read, e => Assert.True(InRange(e) && bound(e), $"{what}: {e.Position} is outside [{from:O}, {until:O}) or its bound"));
            Assert.True(read.Zip(read.Skip(1)).All(p => p.First.Position.CompareTo(p.Second.Position) * order < 0), $"{what}: positions must {(order > 0 ? "increase" : "decrease")}");
            HashSet<LogPosition> positions = read.Select(e => e.Position).ToHashSet();
            HashSet<LogPosition> missing = [.. mustHold.Where(p => bound(new LogEvent(p, [])) && !positions.Contains(p))];
            Assert.True(missing.Count == 0, $"{what} [{from:O}, {until:O}) misses {string.Join(", ", missing)}; it read {string.Join(", ", positions)}");
            HashSet<LogPosition> extra = [.. positions.Where(p => !mayHold.Contains(p))];
            Assert.True(extra.Count == 0, $"{what} [{from:O}, {until:O}) read {string.Join(", ", extra)}, which neither full read holds");
            Assert.Equal(positions.Count, read.Count);
        }

        CheckRead(range, 1, _ => true, "forward");
        CheckRead(backward, -1, _ => true, "backward");
        CheckRead(older, -1, e => middle is not { } bound || e.Position < bound, "backward before a position");
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

    private sealed class Instance(int id, AppendLog log, Model model, SkewedClock clock)
    {
        public int Id { get; } = id;

        public AppendLog Log { get; } = log;

        public Model Model { get; } = model;

        /// <summary>This writer's own clock: the store's, off by what the last <see cref="Skew"/> said.</summary>
        public SkewedClock Clock { get; } = clock;

        public List<string> Appended { get; } = [];

        /// <summary>The operation during which each event was appended: its batch's time is at or before that operation's.</summary>
        public List<int> AppendedAt { get; } = [];

        /// <summary>The operation whose flush acknowledged each event (int.MaxValue while none has).</summary>
        public List<int> AckedAt { get; } = [];

        public void Acknowledge(int through, int op)
        {
            while (AckedAt.Count < Appended.Count)
            {
                AckedAt.Add(int.MaxValue);
            }

            for (int i = 0; i < through; i++)
            {
                AckedAt[i] = Math.Min(AckedAt[i], op);
            }
        }
    }

    private sealed class Model(string prefix)
    {
        private readonly List<Instance> _all = [];
        private readonly List<DateTimeOffset> _opStarts = [];

        /// <summary>The store's clock.</summary>
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        /// <summary>The operation running now, from 1.</summary>
        public int Op { get; private set; }

        /// <summary>Every trim begun, by operation, and whether it is known to have committed (else it may have).</summary>
        public List<(int Op, bool Certain)> Trims { get; } = [];

        public void NextOp()
        {
            Clock.Advance(Step);
            Op++;
            _opStarts.Add(Clock.GetUtcNow());
        }

        /// <summary>Half a step before operation <paramref name="op"/> started, by the store's clock.</summary>
        public DateTimeOffset TimeOf(int op) => _opStarts[Math.Clamp(op, 1, Op) - 1] - (Step / 2);

        public Instance Open(IObjectStore store, TimeSpan offset, LogCompression compression)
        {
            AppendLogOptions options = Quiet(threshold: 3);
            options.Compression = compression;
            var clock = new SkewedClock(Clock) { Offset = offset };
            options.TimeProvider = clock;
            options.MaxConcurrentPuts = 1 + (_all.Count % 4 * 2); // 1, 3, 5, 7: one at a time as well as pipelined
            var instance = new Instance(_all.Count, new AppendLog(store, prefix, options), this, clock);
            _all.Add(instance);
            return instance;
        }

        /// <summary>
        /// Every event at most once; per instance, what it appended in append order (a subsequence: with PUTs in
        /// flight concurrently, a batch whose PUT failed may be missing while later ones landed); none that a
        /// committed trim took; and every event acknowledged (or, for the reading instance, appended: its buffer is
        /// read too) at or after every trim that may have committed.
        /// </summary>
        public void Check(string[] read, Instance? reader)
        {
            Assert.Equal(read.Length, read.Distinct().Count());
            int accounted = 0;
            foreach (Instance instance in _all)
            {
                instance.Acknowledge(0, int.MaxValue); // one entry per event
                string tag = $"i{instance.Id}-";
                string[] mine = read.Where(e => e.StartsWith(tag, StringComparison.Ordinal)).ToArray();
                accounted += mine.Length;
                AssertInOrderOnce(instance.Appended, mine);
                var present = new HashSet<string>(mine);
                for (int i = 0; i < instance.Appended.Count; i++)
                {
                    int appendedAt = instance.AppendedAt[i];
                    int ackedAt = instance.AckedAt[i];
                    if (Trims.Any(t => t.Certain && appendedAt < t.Op && ackedAt < t.Op))
                    {
                        Assert.False(present.Contains(instance.Appended[i]), $"instance {instance.Id}: {instance.Appended[i]} (appended at operation {appendedAt}, acknowledged at {ackedAt}) was stored before a committed trim that covers it ({string.Join(", ", Trims)}), but reads back");
                    }
                    else if ((ackedAt != int.MaxValue || instance == reader) && Trims.All(t => appendedAt >= t.Op))
                    {
                        Assert.True(present.Contains(instance.Appended[i]), $"instance {instance.Id}: {instance.Appended[i]} (appended at operation {appendedAt}, acknowledged at {ackedAt}, trims {string.Join(", ", Trims)}) is missing");
                    }
                }
            }

            Assert.Equal(read.Length, accounted);
        }
    }
}
