using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using ObjectLog.Cli.Ui;
using ObjectLog.Storage;

namespace ObjectLog.Benchmarks.Ui;

/// <summary>
/// <c>objlog ui</c>'s server over one store, started in-process on a free port, and a client that times its
/// endpoints over real HTTP as the page calls them: each view's first call on this server, then
/// <see cref="LaterCalls"/> more for a median. The page itself is fetched once first, as a browser does, so the
/// first API call pays no connection set-up.
/// </summary>
internal sealed class UiSession : IAsyncDisposable
{
    public const int LaterCalls = 5;

    private readonly WebApplication _app;
    private readonly HttpClient _client;
    private readonly Func<RequestCounts>? _requests;

    private UiSession(WebApplication app, HttpClient client, Func<RequestCounts>? requests)
    {
        _app = app;
        _client = client;
        _requests = requests;
    }

    /// <param name="store">The store the server reads.</param>
    /// <param name="requests">The store's request counts so far, if it counts them.</param>
    public static async Task<UiSession> StartAsync(IObjectStore store, Func<RequestCounts>? requests)
    {
        WebApplication app = UiServer.Build(new UiServerOptions { Store = store, StorePrefix = "", StoreDescription = "bench", Log = SeededLog.Log, Port = 0 });
        await app.StartAsync();
        var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(10) };
        var session = new UiSession(app, client, requests);
        (await client.GetAsync(new Uri("/", UriKind.Relative))).EnsureSuccessStatusCode();
        return session;
    }

    /// <summary>Times <paramref name="request"/> (a path and query); <paramref name="answer"/> says what its JSON held, for the table.</summary>
    public async Task<(ViewTiming Timing, JsonElement Body)> MeasureAsync(string view, string request, Func<JsonElement, string> answer)
    {
        (TimeSpan first, TimeSpan firstCpu, RequestCounts? firstRequests, JsonElement body) = await CallAsync(request);
        var later = new List<(TimeSpan Took, TimeSpan Cpu)>();
        RequestCounts? most = null;
        for (int i = 0; i < LaterCalls; i++)
        {
            (TimeSpan took, TimeSpan cpu, RequestCounts? made, _) = await CallAsync(request);
            later.Add((took, cpu));
            most = made is { } m ? (most is { } so ? new RequestCounts(Math.Max(so.Puts, m.Puts), Math.Max(so.Gets, m.Gets), Math.Max(so.Deletes, m.Deletes), Math.Max(so.Lists, m.Lists)) : m) : null;
        }

        (TimeSpan median, TimeSpan medianCpu) = later.OrderBy(c => c.Took).ElementAt(later.Count / 2);
        return (new ViewTiming(view, request, answer(body), first, firstCpu, median, medianCpu, firstRequests, most), body);
    }

    /// <summary>The JSON answer to <paramref name="request"/> (a path and query), untimed.</summary>
    public async Task<JsonElement> GetAsync(string request) => (await CallAsync(request)).Body;

    private async Task<(TimeSpan Took, TimeSpan Cpu, RequestCounts? Requests, JsonElement Body)> CallAsync(string request)
    {
        RequestCounts? before = _requests?.Invoke();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long started = Stopwatch.GetTimestamp();
        using HttpResponseMessage response = await _client.GetAsync(new Uri(request, UriKind.Relative));
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        TimeSpan took = Stopwatch.GetElapsedTime(started);
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        RequestCounts? made = _requests?.Invoke() - before;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {request}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
        }

        using JsonDocument json = JsonDocument.Parse(body);
        return (took, cpu, made, json.RootElement.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
