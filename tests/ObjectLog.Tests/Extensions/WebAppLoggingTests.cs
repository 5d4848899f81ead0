using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Xunit.Abstractions;
using Microsoft.Extensions.Logging;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using ObjectLog.Tests.Log;
using static ObjectLog.Tests.Extensions.ExtensionFixtures;

namespace ObjectLog.Tests.Extensions;

/// <summary>
/// An ASP.NET Core app (<see cref="LoggingWebApp"/>, in memory through <c>WebApplicationFactory</c>) that logs on every
/// request keeps answering quickly while its log store is slow or down, and loses nothing it accepted once it heals.
/// </summary>
public sealed class WebAppLoggingTests(ITestOutputHelper output)
{
    private const int Requests = 200;

    /// <summary>
    /// The bound on the 99th percentile of request latency. In memory a request takes well under a millisecond; a
    /// logger that waited for the store would take at least the slow store's 500 ms per PUT, or fail. 50 ms is ten
    /// times under that, and leaves room for a garbage collection or a busy 2-core CI machine.
    /// </summary>
    private static readonly TimeSpan P99Bound = TimeSpan.FromMilliseconds(50);

    public enum Outage
    {
        Slow,
        Down,
    }

    [Theory]
    [InlineData(Outage.Slow)]
    [InlineData(Outage.Down)]
    public async Task Requests_stay_fast_while_the_store_is_slow_or_down_drops_are_counted_and_every_accepted_entry_is_stored(Outage outage)
    {
        var store = new FaultInjectingObjectStore(new InMemoryObjectStore());
        string log = $"web-{Guid.NewGuid():N}";
        string url = $"{RegisterStore(store, "web")}://{log}";
        using var metrics = new MetricTotals(log + "/");
        var others = new CapturingLoggerFactory();
        await using var app = new LoggingWebApp(url, o =>
        {
            o.FlushThreshold = 4;
            o.MaxBufferedBytes = 4096; // about 20 entries: the buffer fills within the run
        }, others);
        using HttpClient client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/orders/0", UriKind.Relative))).StatusCode); // warms up (JIT) and is counted

        if (outage == Outage.Slow)
        {
            store.Latency = TimeSpan.FromMilliseconds(500); // before every call; the logger makes only PUTs
        }
        else
        {
            store.FailWhen((call, _) => call == StoreCall.Put ? Fault.FailBefore : null);
        }

        var latencies = new List<TimeSpan>();
        for (int i = 1; i <= Requests; i++)
        {
            long started = Stopwatch.GetTimestamp();
            HttpResponseMessage response = await client.GetAsync(new Uri($"/orders/{i}", UriKind.Relative));
            latencies.Add(Stopwatch.GetElapsedTime(started));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode); // nothing thrown: an exception would be a 500
        }

        latencies.Sort();
        TimeSpan p99 = latencies[(int)Math.Ceiling(Requests * 0.99) - 1];
        Assert.True(p99 < P99Bound, $"p99 {p99.TotalMilliseconds:F1} ms, max {latencies[^1].TotalMilliseconds:F1} ms");
        long dropped = (long)metrics["objectlog.logger.dropped"];
        Assert.True(dropped > 0, "the buffer never filled");
        Assert.Single(others.Entries, e => e.Category == "ObjectLog.Extensions.Logging" && e.Level == LogLevel.Warning);

        store.Latency = TimeSpan.Zero; // heals
        store.FailWhen(null);
        await app.DisposeAsync(); // stops the host: the logger flushes what it accepted

        List<JsonElement> stored = [.. (await ReadStoredAsync($"{url}")).Select(e => JsonDocument.Parse(e).RootElement)];
        Assert.All(stored, e => Assert.Equal(LoggingWebApp.Category, e.GetProperty("category").GetString()));
        long accepted = Requests + 1 - dropped;
        output.WriteLine($"{outage}: p99 {p99.TotalMilliseconds:F2} ms, max {latencies[^1].TotalMilliseconds:F2} ms, {dropped} dropped, {accepted} accepted and stored");
        Assert.Equal(accepted, stored.Count);
        Assert.Equal(stored.Count, stored.Select(e => e.GetProperty("properties").GetProperty("OrderId").GetInt32()).Distinct().Count()); // each once
    }
}
