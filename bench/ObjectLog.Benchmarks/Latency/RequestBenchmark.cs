using System.Globalization;
using ObjectLog.Cli;
using ObjectLog.Internal;
using ObjectLog.Storage;

namespace ObjectLog.Benchmarks.Latency;

/// <summary>
/// Issue 7's "counted in requests" goals, over <see cref="LatencyObjectStore"/> (5 ms a request): a log of 100,000
/// batch objects (quick: 10,000), one a second, the newest an hour old, written straight to the in-memory store off
/// the clock. (a) A time-range read of the last 1%: LIST pages, keys listed and GETs against the log's size.
/// (b) An idle tail, started after the last event as <c>objlog tail -f</c> is: keys listed per poll. (c) The last 1% of it compacted.
/// (d) The last 10 events, as <c>objlog tail -n 10</c> reads them: GETs against 10. A read of the whole log gives the scale.
/// </summary>
/// <remarks>
/// Requests are the store's own counts; the log's request bill (<c>objectlog.requests</c>) is checked against
/// them, so a figure here is also what <c>objlog stats</c> and a metrics pipeline would see.
/// </remarks>
internal static class RequestBenchmark
{
    private const string Prefix = "bench";
    private const int Polls = 10;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly byte[] Event = SampleData.Event(200);

    public static async Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        int objects = quick ? 10_000 : 100_000;
        var store = new LatencyObjectStore(new InMemoryObjectStore(), Latency);
        DateTimeOffset newest = DateTimeOffset.UtcNow - TimeSpan.FromHours(1);
        DateTimeOffset oldest = newest - TimeSpan.FromSeconds(objects - 1);
        await WriteBatchObjectsAsync(store.Inner, objects, oldest);

        Console.WriteLine(FormattableString.Invariant($"# Requests over a log of {objects:N0} batch objects ({(quick ? "quick" : "full")} run, {Latency.TotalMilliseconds:F0} ms a request)"));
        Console.WriteLine();
        Console.WriteLine("One batch object a second, of one event, the newest an hour old. LIST pages hold up to 1,000 keys.");
        Console.WriteLine();

        await using var log = new AppendLog(store, Prefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan, TailPollInterval = PollInterval });
        using var bill = new RequestTally(log.KeyPrefix);

        // (a) The last 1% by time: the batches from this time on.
        DateTimeOffset from = oldest + TimeSpan.FromSeconds(objects - (objects / 100));
        Snapshot before = Snapshot.Of(store, bill);
        var events = new List<LogEvent>();
        await foreach (LogEvent e in log.ReadEventsAsync(from))
        {
            events.Add(e);
        }

        Usage range = Snapshot.Of(store, bill) - before;
        Expect(events.Count, objects / 100);

        // (b) An idle tail after the last event: the first poll lists the look-back before the position (a tail resumes
        // at least once), each later one what is new since the store's time less the look-back, here nothing.
        before = Snapshot.Of(store, bill);
        int listingsBefore = store.Listings.Count;
        using (var stop = new CancellationTokenSource())
        {
            Task<int> tail = CountTailAsync(log, events[^1].Position, stop.Token);
            while (store.Listings.Skip(listingsBefore).Count(l => l.Prefix == log.KeyPrefix) < Polls)
            {
                await Task.Delay(10);
            }

            await stop.CancelAsync();
            Expect(await tail, 0);
        }

        Usage idle = Snapshot.Of(store, bill) - before;
        List<LatencyObjectStore.Listing> polls = store.Listings.Skip(listingsBefore).Where(l => l.Prefix == log.KeyPrefix).ToList();
        List<LatencyObjectStore.Listing> trimLookups = store.Listings.Skip(listingsBefore).Where(l => l.Prefix != log.KeyPrefix).ToList();

        // For scale: the whole log, as every read cost before reads listed from where they start.
        before = Snapshot.Of(store, bill);
        int all = 0;
        await foreach (LogEvent _ in log.ReadEventsAsync())
        {
            all++;
        }

        Usage whole = Snapshot.Of(store, bill) - before;
        Expect(all, objects);

        // (d) The last 10 events: the whole listing, then GETs from the newest object back for 10 events.
        before = Snapshot.Of(store, bill);
        IReadOnlyList<LogEvent> lastTen = await log.ReadLastAsync(10);
        Usage last = Snapshot.Of(store, bill) - before;
        Expect(lastTen.Count, 10);

        // (c) The same log compacted into merged objects of 1,000 batches (the first of 500), so the last 1% starts
        // in the middle of one: found by its end marker, read by byte range through its manifest.
        var mergedStore = new LatencyObjectStore(new InMemoryObjectStore(), Latency);
        await WriteMergedAsync(mergedStore.Inner, objects, oldest);
        long logBytes = (await mergedStore.Inner.ListSortedAsync(Prefix + "/")).Where(m => m.Key.EndsWith(".jsonl", StringComparison.Ordinal)).Sum(m => m.Size);
        await using var mergedLog = new AppendLog(mergedStore, Prefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan });
        using var mergedBill = new RequestTally(mergedLog.KeyPrefix);
        before = Snapshot.Of(mergedStore, mergedBill);
        int mergedEvents = 0;
        await foreach (LogEvent _ in mergedLog.ReadEventsAsync(from))
        {
            mergedEvents++;
        }

        Usage mergedRange = Snapshot.Of(mergedStore, mergedBill) - before;
        Expect(mergedEvents, objects / 100);
        await using (var cold = new AppendLog(mergedStore, Prefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan }))
        {
            before = Snapshot.Of(mergedStore, mergedBill); // the bill counts by prefix: this log's requests too
            Expect((await cold.ReadLastAsync(10)).Count, 10); // a log that has not cached the manifest yet, as objlog's
        }

        Usage mergedLast = Snapshot.Of(mergedStore, mergedBill) - before;

        // What a read by byte range must fetch: the range's own bytes, and the manifest of each merged object holding
        // part of it (a read of whole merged objects would fetch up to 1,000 batches for each instead).
        long rangeBytes = (long)mergedEvents * (Event.Length + 1); // each with its newline
        string floor = LogObjectName.FloorAt(from);
        long manifestBytes = (await mergedStore.Inner.ListSortedAsync(Prefix + "/"))
            .Where(m => LogObjectName.TryParse(m.Key[(Prefix.Length + 1)..], out LogObjectName n) && n.Kind == LogObjectKind.Manifest && string.CompareOrdinal(n.Last, floor) >= 0)
            .Sum(m => m.Size);

        Console.WriteLine("| operation | log objects | events returned | LIST pages | keys listed | GETs | keys listed ÷ log size |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine(FormattableString.Invariant($"| ReadEventsAsync(from) over the last 1% | {objects:N0} | {events.Count:N0} | {range.Requests.Lists:N0} | {range.KeysListed:N0} | {range.Requests.Gets:N0} | {100.0 * range.KeysListed / objects:F2}% |"));
        Console.WriteLine(FormattableString.Invariant($"| ReadLastAsync(10), as objlog tail -n 10 | {objects:N0} | {lastTen.Count:N0} | {last.Requests.Lists:N0} | {last.KeysListed:N0} | {last.Requests.Gets:N0} | {100.0 * last.KeysListed / objects:F2}% |"));
        Console.WriteLine(FormattableString.Invariant($"| ReadEventsAsync() over the whole log, for scale | {objects:N0} | {all:N0} | {whole.Requests.Lists:N0} | {whole.KeysListed:N0} | {whole.Requests.Gets:N0} | {100.0 * whole.KeysListed / objects:F2}% |"));
        Console.WriteLine(FormattableString.Invariant($"| idle TailAsync, {polls.Count} polls {PollInterval.TotalMilliseconds:F0} ms apart, per poll | {objects:N0} | 0 | {(double)idle.Requests.Lists / polls.Count:F1} | {(double)idle.KeysListed / polls.Count:F1} | {(double)idle.Requests.Gets / polls.Count:F1} | {100.0 * idle.KeysListed / polls.Count / objects:F4}% |"));
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"The same log compacted into {objects / 1000 + 1:N0} merged objects of up to 1,000 batches ({logBytes:N0} bytes of data), the last 1% starting halfway through one:"));
        Console.WriteLine();
        long newestManifestBytes = (await mergedStore.Inner.ListSortedAsync(Prefix + "/"))
            .Where(m => LogObjectName.TryParse(m.Key[(Prefix.Length + 1)..], out LogObjectName n) && n.Kind == LogObjectKind.Manifest)
            .Last().Size; // merged objects of later batches sort later
        Console.WriteLine("| operation | events returned | LIST pages | keys listed | GETs | bytes fetched | the events' bytes | their objects' manifests | bytes fetched ÷ log data |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine(FormattableString.Invariant($"| ReadEventsAsync(from) over the last 1%, merged | {mergedEvents:N0} | {mergedRange.Requests.Lists:N0} | {mergedRange.KeysListed:N0} | {mergedRange.Requests.Gets:N0} | {mergedRange.BytesReceived:N0} | {rangeBytes:N0} | {manifestBytes:N0} | {100.0 * mergedRange.BytesReceived / logBytes:F2}% |"));
        Console.WriteLine(FormattableString.Invariant($"| ReadLastAsync(10), merged: the newest object's manifest, then one range | 10 | {mergedLast.Requests.Lists:N0} | {mergedLast.KeysListed:N0} | {mergedLast.Requests.Gets:N0} | {mergedLast.BytesReceived:N0} | {10 * (Event.Length + 1):N0} | {newestManifestBytes:N0} | {100.0 * mergedLast.BytesReceived / logBytes:F2}% |"));
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"Tail polls, keys listed each: {string.Join(", ", polls.Select(p => p.Keys))}; other listings (trim records): {trimLookups.Count}. The first poll lists and GETs the look-back before the position it resumes at (a tail resumes at least once), once."));
        Console.WriteLine();

        var done = new DoneMeans(quick);
        done.Check(FormattableString.Invariant($"a read of the last 1% lists {100.0 * range.KeysListed / objects:F2}% of the log and GETs {100.0 * range.Requests.Gets / objects:F2}% (≤ 1.1× of 1%: shown as 1% ÷ measured)"), 0.01 * objects / Math.Max(range.KeysListed, range.Requests.Gets), 1 / 1.1);
        done.Check(FormattableString.Invariant($"a read of the last 1% of the merged log fetches {mergedRange.BytesReceived:N0} bytes: its events' own and their objects' manifests, {rangeBytes + manifestBytes:N0} (shown as those ÷ fetched)"), (double)(rangeBytes + manifestBytes) / mergedRange.BytesReceived, 1);
        done.Check(FormattableString.Invariant($"the last 10 events (objlog tail -n 10) of {objects:N0} objects take {last.Requests.Gets:N0} GETs, of the merged log {mergedLast.Requests.Gets:N0} (shown as 10 ÷ the larger)"), 10.0 / Math.Max(last.Requests.Gets, mergedLast.Requests.Gets), 1);
        done.Check(FormattableString.Invariant($"an idle tail lists {(double)idle.KeysListed / polls.Count:F1} keys a poll over {objects:N0} objects (shown as 10 ÷ keys a poll, at least 1)"), 10.0 / Math.Max(1, (double)idle.KeysListed / polls.Count), 1);
        done.Print();
        return 0;
    }

    /// <summary>
    /// Batch objects named as AppendLog names them, one event each, a second apart, written straight to the store;
    /// <paramref name="afterEach"/>, if given, runs after each with its index.
    /// </summary>
    private static async Task WriteBatchObjectsAsync(IObjectStore store, int objects, DateTimeOffset oldest, Func<int, Task>? afterEach = null)
    {
        byte[] body = SampleData.BatchBody(Event, 1);
        long start = LogObjectName.Microseconds(oldest);
        for (int i = 0; i < objects; i++)
        {
            await store.PutAsync($"{Prefix}/{LogObjectName.Batch(start + (i * 1_000_000L), writerId: 0x5eed, sequence: i)}", body, PutMode.Create);
            if (afterEach is not null)
            {
                await afterEach(i);
            }
        }
    }

    /// <summary>The same batch objects, compacted as they arrive: a first merged object of 500 batches, then one per 1,000.</summary>
    private static async Task WriteMergedAsync(IObjectStore store, int objects, DateTimeOffset oldest)
    {
        await using var log = new AppendLog(store, Prefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan });
        CompactionPolicy newBatchesOnly = CompactionPolicy.SizeTiered(fanIn: 500, minObjectBytes: 1_000); // merged objects are a tier above
        await WriteBatchObjectsAsync(store, objects, oldest, async i =>
        {
            if (i == 499 || (i + 1 - 500) % 1000 == 0 || i == objects - 1)
            {
                await log.CompactAsync(newBatchesOnly);
            }
        });
    }

    private static async Task<int> CountTailAsync(AppendLog log, LogPosition after, CancellationToken cancellationToken)
    {
        int count = 0;
        try
        {
            await foreach (LogEvent e in log.TailAsync(after, cancellationToken))
            {
                if (e.Position > after)
                {
                    count++; // new: resuming is at least once, so the first poll returns again the minute before the position
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopped after enough polls
        }

        return count;
    }

    private static void Expect(int actual, int expected)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"expected {expected} events, got {actual}"));
        }
    }

    /// <summary>The store's counts at one moment, checked against the log's own bill.</summary>
    private sealed record Snapshot(RequestCounts Requests, long KeysListed, ObjectLog.Cli.RequestCounts Bill)
    {
        public static Snapshot Of(LatencyObjectStore store, RequestTally bill)
            => new(store.Requests, store.Listings.Sum(l => (long)l.Keys), bill.Counts);

        public static Usage operator -(Snapshot after, Snapshot before)
        {
            RequestCounts store = after.Requests - before.Requests;
            ObjectLog.Cli.RequestCounts billed = after.Bill - before.Bill;
            if (billed.Get != store.Gets || billed.List != store.Lists || billed.Put != store.Puts || billed.Delete != store.Deletes)
            {
                throw new InvalidOperationException($"the log's request bill ({billed}) disagrees with the store's counts ({store})");
            }

            return new Usage(store, after.KeysListed - before.KeysListed, billed.BytesReceived);
        }
    }

    private sealed record Usage(RequestCounts Requests, long KeysListed, long BytesReceived);
}
