using System.Globalization;
using System.Text.Json;
using ObjectLog.Storage;

namespace ObjectLog.Benchmarks.Ui;

/// <summary>
/// <c>objlog ui</c>'s page views over a day-long log of a million entries (quick: 100,000), timed over real HTTP
/// against the server in-process: on the folder store, with the issue's two targets (the last hour's first page
/// within 1 s, the whole log's histogram within 5 s); and at 20 ms a request (<see cref="LatencyObjectStore"/> over
/// the same folder), where each view's LIST and GET requests are counted. Then where the whole log's histogram spends
/// its time (<see cref="HistogramPhases"/>). A missed target fails a full run (exit code 1); a quick run only reports.
/// </summary>
/// <remarks>
/// The log is <see cref="SeededLog"/>'s, cached between runs; both servers see the store's clock rewound to the
/// seed's end (<see cref="RewoundClockObjectStore"/>), so "the last hour" is always the seed's last hour. The views
/// are called in the order a user's first visit makes them (the log list, the last hour's summary, histogram and
/// pages; then the whole log's histogram), each first on a fresh server, then <see cref="UiSession.LaterCalls"/> times more.
/// </remarks>
internal static class UiBenchmark
{
    private const int PageSize = 100;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan FirstPageTarget = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan HistogramTarget = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        int events = quick ? 100_000 : 1_000_000;
        Console.WriteLine(FormattableString.Invariant($"# objlog ui: page views over a log of {events:N0} events ({(quick ? "quick" : "full")} run, {Environment.ProcessorCount} cores)"));
        // objlog runs without tiered PGO (its project sets TieredPGO false); the benchmark's process should too, as
        // the first call's figure is mostly how soon the read's code reaches full speed.
        if (Environment.GetEnvironmentVariable("DOTNET_TieredPGO") != "0")
        {
            Console.WriteLine("Note: run with DOTNET_TieredPGO=0 to measure as objlog runs (its runtimeconfig turns tiered PGO off); this run has it on.");
        }

        Console.WriteLine();

        SeededLog seed = await SeededLog.OpenOrSeedAsync(events);
        string seeded = seed.SeededIn is { } took
            ? FormattableString.Invariant($"seeded in {took.TotalSeconds:F1} s")
            : "cached from an earlier run";
        Console.WriteLine(FormattableString.Invariant($"Log `{SeededLog.Log}` in {seed.StoreFolder} ({seeded}): {seed.Events:N0} ILogger-provider entries in batches of {SeededLog.EventsPerBatch:N0} over the 24 hours of batch time up to {seed.End:u}, compacted once half an hour before the end; {seed.Objects:N0} objects, {seed.StoredBytes / 1e6:F1} MB stored. The store's clock reads as at the seed's end."));
        Console.WriteLine();

        var folder = new FileSystemObjectStore(seed.StoreFolder);
        List<ViewTiming> onFolder;
        List<HistogramPhases.Phase> phases;
        await using (UiSession session = await UiSession.StartAsync(Rewound(folder, seed), requests: null))
        {
            onFolder = await ViewAsync(session, seed);
            phases = await HistogramPhases.MeasureAsync(Rewound(folder, seed), seed.Events, session);
        }

        Console.WriteLine("## Folder store");
        Console.WriteLine();
        Print(onFolder, counted: false);
        HistogramPhases.Print(phases);

        var slow = new LatencyObjectStore(Rewound(folder, seed), Latency);
        List<ViewTiming> atLatency;
        await using (UiSession session = await UiSession.StartAsync(slow, () => slow.Requests))
        {
            atLatency = await ViewAsync(session, seed);
        }

        Console.WriteLine(FormattableString.Invariant($"## {Latency.TotalMilliseconds:F0} ms a request (LatencyObjectStore over the same folder; LIST pages of {LatencyObjectStore.KeysPerListPage:N0} keys)"));
        Console.WriteLine();
        Print(atLatency, counted: true);

        var done = new DoneMeans(quick);
        Check(done, onFolder.Single(t => t.View == Views.FirstPage), FirstPageTarget);
        Check(done, onFolder.Single(t => t.View == Views.HistogramAll), HistogramTarget);
        done.Print();
        return done.AnyFailed && !quick ? 1 : 0;
    }

    private static RewoundClockObjectStore Rewound(IObjectStore store, SeededLog seed)
        => new(store, DateTimeOffset.UtcNow - seed.End);

    /// <summary>The views, in the order a first visit makes them; the answers are checked, so a fast wrong answer cannot pass.</summary>
    private static async Task<List<ViewTiming>> ViewAsync(UiSession session, SeededLog seed)
    {
        var timings = new List<ViewTiming>();
        async Task<JsonElement> Measure(string view, string request, Func<JsonElement, string> answer)
        {
            (ViewTiming timing, JsonElement body) = await session.MeasureAsync(view, request, answer);
            timings.Add(timing);
            return body;
        }

        await Measure(Views.Logs, "/api/logs", b => Invariant($"{b.GetProperty("logs").GetArrayLength()} logs"));
        await Measure(Views.Summary, "/api/summary?range=1h", b => Invariant($"{b.GetProperty("objects").GetInt64():N0} objects"));
        await Measure(Views.HistogramHour, "/api/histogram?range=1h", Histogram(expected: null));
        JsonElement first = await Measure(Views.FirstPage, Invariant($"/api/events?range=1h&order=newest&limit={PageSize}"), Page(PageSize));
        string next = first.GetProperty("next").GetString() ?? throw new InvalidOperationException("the last hour's first page says there is no second");
        await Measure(Views.SecondPage, Invariant($"/api/events?range=1h&order=newest&limit={PageSize}&after={Uri.EscapeDataString(next)}"), Page(PageSize));
        await Measure(Views.ErrorsPage, Invariant($"/api/events?range=1h&level=Error&order=newest&limit={PageSize}"), Page(PageSize, level: "Error"));
        await Measure(Views.HistogramAll, "/api/histogram?range=all", Histogram(expected: seed.Events));
        return timings;
    }

    /// <summary>A page's answer: a full page, or with <paramref name="level"/> (which may match fewer) some events, all of that level.</summary>
    private static Func<JsonElement, string> Page(int size, string? level = null) => body =>
    {
        JsonElement[] events = [.. body.GetProperty("events").EnumerateArray()];
        bool right = level is null
            ? events.Length == size
            : events.Length is > 0 and <= PageSize && events.All(e => e.GetProperty("level").GetString() == level);
        return right
            ? Invariant($"{events.Length} events")
            : throw new InvalidOperationException($"expected {(level is null ? $"a full page of {size}" : $"up to {size} {level}")} events, got {events.Length}");
    };

    private static Func<JsonElement, string> Histogram(long? expected) => body =>
    {
        long total = body.GetProperty("total").GetInt64();
        if (total == 0 || (expected is { } all && total != all))
        {
            throw new InvalidOperationException($"the histogram counts {total:N0} events; expected {expected?.ToString("N0", CultureInfo.InvariantCulture) ?? "some"}");
        }

        return Invariant($"{total:N0} events in {body.GetProperty("buckets").GetArrayLength()} buckets of {body.GetProperty("bucketSeconds").GetInt64():N0} s");
    };

    private static void Check(DoneMeans done, ViewTiming t, TimeSpan target)
    {
        TimeSpan slower = t.First > t.Median ? t.First : t.Median;
        done.CheckAtMost(Invariant($"{t.View} on the folder store (GET {t.Request}): first call {t.First.TotalMilliseconds:F0} ms (CPU {t.FirstCpu.TotalMilliseconds:F0} ms), median of {UiSession.LaterCalls} {t.Median.TotalMilliseconds:F0} ms (CPU {t.MedianCpu.TotalMilliseconds:F0} ms); the slower ÷ {target.TotalMilliseconds:N0} ms"), slower / target, 1);
    }

    private static void Print(List<ViewTiming> timings, bool counted)
    {
        Console.WriteLine(counted
            ? "| view | GET | answer | first call ms | first call LIST / GET | median of 5 ms | each later call LIST / GET (most) |"
            : "| view | GET | answer | first call ms (CPU ms) | median of 5 ms (CPU ms) |");
        Console.WriteLine(counted ? "| --- | --- | --- | ---: | ---: | ---: | ---: |" : "| --- | --- | --- | ---: | ---: |");
        foreach (ViewTiming t in timings)
        {
            Console.WriteLine(counted
                ? Invariant($"| {t.View} | `{Shown(t.Request)}` | {t.Answer} | {t.First.TotalMilliseconds:F0} | {Counts(t.FirstRequests)} | {t.Median.TotalMilliseconds:F0} | {Counts(t.MostRequestsLater)} |")
                : Invariant($"| {t.View} | `{Shown(t.Request)}` | {t.Answer} | {t.First.TotalMilliseconds:F0} ({t.FirstCpu.TotalMilliseconds:F0}) | {t.Median.TotalMilliseconds:F0} ({t.MedianCpu.TotalMilliseconds:F0}) |"));
        }

        Console.WriteLine();
    }

    /// <summary>The request as the tables show it: a position passed as <c>after</c> is long and says nothing, so it shows as <c>NEXT</c>.</summary>
    private static string Shown(string request)
        => request.Contains("&after=", StringComparison.Ordinal) ? request[..(request.IndexOf("&after=", StringComparison.Ordinal) + "&after=".Length)] + "NEXT" : request;

    private static string Counts(RequestCounts? counts) => counts is { } c ? Invariant($"{c.Lists} / {c.Gets}") : "–";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The views' names, as the tables print them.</summary>
    private static class Views
    {
        public const string Logs = "logs list";
        public const string Summary = "summary, last hour";
        public const string HistogramHour = "histogram, last hour";
        public const string FirstPage = "first page, last hour";
        public const string SecondPage = "second page, last hour";
        public const string ErrorsPage = "first page, last hour, Error only";
        public const string HistogramAll = "histogram, whole log";
    }
}
