using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using ObjectLog.Cli.Ui;
using ObjectLog.Storage;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Ui;

/// <summary>
/// The JSON endpoints of <c>objlog ui</c> over a real Kestrel on loopback, checked against the seeded events and a
/// plain in-test filter: pages in both orders add up to the log, filters narrow rows and histogram alike, bad values
/// are refused with a message, and nothing a request does changes the store.
/// </summary>
public sealed class UiEndpointTests : IAsyncLifetime
{
    private readonly InMemoryObjectStore _store = new();
    private readonly List<(string Text, string? Level)> _seeded = [];
    private WebApplication? _app;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        // Batches of 7 (threshold), some merged: ILogger provider entries, CLEF, plain JSON and a line that is not JSON.
        AppendLogOptions options = Quiet(threshold: 7);
        options.SupersededGracePeriod = TimeSpan.Zero;
        await using (var log = new AppendLog(_store, "app", options))
        {
            string[] levels = ["Information", "Warning", "Error", "Debug"];
            for (int i = 0; i < 120; i++)
            {
                (string text, string? level) = (i % 4) switch
                {
                    0 => ($$"""{"timestamp":"2026-12-02T10:00:{{i % 60:D2}}Z","level":"{{levels[i % 3]}}","category":"Shop","message":"Order {{i}} handled","properties":{"OrderId":{{i}}""" + "}}", levels[i % 3]),
                    1 => ($$"""{"@t":"2026-12-02T10:00:00Z","@mt":"Payment {Amount} for {OrderId}","Amount":{{i}}.5,"OrderId":{{i}}""" + (i % 3 == 0 ? ",\"@l\":\"Error\"}" : "}"), i % 3 == 0 ? "Error" : "Information"),
                    2 => ($$"""{"trial":{{i}},"outcome":"ok"}""", null),
                    _ => ($"not json {i} timeout", null),
                };
                _seeded.Add((text, level));
                await log.AppendAsync(E(text));
                if (i == 60)
                {
                    await log.FlushAsync();
                    await log.CompactAsync();
                }
            }
        }

        await using (var other = new AppendLog(_store, "nested/demo", Quiet()))
        {
            await other.AppendAsync(E("{}"));
        }

        _app = UiServer.Build(new UiServerOptions { Store = _store, StorePrefix = "", StoreDescription = "memory (test)", Port = 0 });
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Pages_newest_first_and_oldest_first_add_up_to_the_whole_log_in_order()
    {
        List<JsonElement> newest = await AllPagesAsync("log=app&order=newest&limit=9");
        List<JsonElement> oldest = await AllPagesAsync("log=app&order=oldest&limit=11");
        Assert.Equal(_seeded.Select(s => s.Text), oldest.Select(e => e.GetProperty("raw").GetString()));
        Assert.Equal(oldest.Select(e => e.GetProperty("position").GetString()).Reverse(), newest.Select(e => e.GetProperty("position").GetString()));
    }

    [Fact]
    public async Task Level_text_and_field_filters_narrow_rows_and_histogram_alike()
    {
        await CheckFilterAsync("level=Error", s => s.Level == "Error");
        await CheckFilterAsync("level=error,warning", s => s.Level is "Error" or "Warning");
        await CheckFilterAsync("level=none", s => s.Level is null);
        await CheckFilterAsync("q=TIMEOUT", s => s.Text.Contains("timeout", StringComparison.OrdinalIgnoreCase));
        await CheckFilterAsync("where=properties.OrderId%3D40", s => s.Text.Contains("\"OrderId\":40}", StringComparison.Ordinal) && s.Text.Contains("properties", StringComparison.Ordinal));
        await CheckFilterAsync("where=%40l%3DError", s => s.Text.Contains("\"@l\":\"Error\"", StringComparison.Ordinal));
        await CheckFilterAsync("where=Amount%3D5.50", s => s.Text.Contains("\"Amount\":5.5,", StringComparison.Ordinal));
        await CheckFilterAsync("level=Information&q=payment", s => s.Level == "Information" && s.Text.Contains("Payment", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rows_carry_level_message_and_own_time()
    {
        JsonElement page = await GetJsonAsync("/api/events?log=app&order=oldest&limit=4");
        JsonElement[] events = [.. page.GetProperty("events").EnumerateArray()];
        Assert.Equal("Order 0 handled", events[0].GetProperty("message").GetString());
        Assert.Equal("Information", events[0].GetProperty("level").GetString());
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero), events[0].GetProperty("time").GetDateTimeOffset());
        Assert.Equal("Payment 1.5 for 1", events[1].GetProperty("message").GetString()); // @mt rendered
        Assert.Equal("Information", events[1].GetProperty("level").GetString()); // CLEF without @l
        Assert.Equal("trial=2 outcome=ok", events[2].GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, events[2].GetProperty("level").ValueKind);
        Assert.Equal("not json 3 timeout", events[3].GetProperty("message").GetString());
        Assert.True(LogPosition.TryParse(events[3].GetProperty("position").GetString(), out _));
    }

    [Fact]
    public async Task The_histogram_counts_every_event_by_level_in_round_buckets()
    {
        JsonElement histogram = await GetJsonAsync("/api/histogram?log=app&range=all&buckets=30");
        Assert.Equal(_seeded.Count, histogram.GetProperty("total").GetInt64());
        JsonElement[] buckets = [.. histogram.GetProperty("buckets").EnumerateArray()];
        Assert.InRange(buckets.Length, 1, 30);
        Assert.Equal(_seeded.Count, buckets.Sum(b => b.GetProperty("total").GetInt64()));
        foreach (string level in new[] { "Information", "Warning", "Error", "Debug" })
        {
            long counted = buckets.Sum(b => b.GetProperty("counts").TryGetProperty(level, out JsonElement n) ? n.GetInt64() : 0);
            Assert.Equal(_seeded.Count(s => s.Level == level), counted);
        }

        string[] levels = [.. histogram.GetProperty("levels").EnumerateArray().Select(l => l.GetString()!)];
        Assert.Equal(["Information", "Warning", "Error", EventLevel.None], levels); // by severity, none last (no Debug was seeded: i % 3 < 3)
        long step = histogram.GetProperty("bucketSeconds").GetInt64();
        Assert.All(buckets, b => Assert.Equal(0, b.GetProperty("start").GetDateTimeOffset().ToUnixTimeSeconds() % step));
    }

    [Fact]
    public async Task The_summary_counts_objects_and_the_requests_made()
    {
        JsonElement summary = await GetJsonAsync("/api/summary?log=app");
        int live = (await new AppendLog(_store, "app", Quiet()).ListStoredObjectsAsync())
            .Count(o => o.State == StoredObjectState.Live && o.Kind is StoredObjectKind.Batch or StoredObjectKind.Merged);
        Assert.Equal(live, summary.GetProperty("objects").GetInt32());
        Assert.True(summary.GetProperty("storedBytes").GetInt64() > 0);
        Assert.True(summary.GetProperty("requests").GetProperty("list").GetInt64() > 0);
        Assert.True(summary.GetProperty("firstBatchTime").GetDateTimeOffset() <= summary.GetProperty("lastBatchTime").GetDateTimeOffset());
    }

    [Fact]
    public async Task The_logs_in_the_store_are_offered()
    {
        JsonElement logs = await GetJsonAsync("/api/logs");
        Assert.Equal(["app", "nested/demo"], logs.GetProperty("logs").EnumerateArray().Select(l => l.GetProperty("name").GetString()));
        Assert.Equal("memory (test)", logs.GetProperty("store").GetString());
        Assert.Equal(JsonValueKind.Null, logs.GetProperty("fixedLog").ValueKind);
    }

    [Theory]
    [InlineData("/api/events?log=app&range=2h", "range")]
    [InlineData("/api/events?log=app&limit=0", "limit")]
    [InlineData("/api/events?log=app&order=sideways", "order")]
    [InlineData("/api/events?log=app&after=nowhere", "after")]
    [InlineData("/api/events?log=app&where=OrderId", "where")]
    [InlineData("/api/events?log=app&from=yesterday", "from")]
    [InlineData("/api/events?log=app&from=2026-12-02T10:00:00Z&until=2026-12-01T10:00:00Z", "until")]
    [InlineData("/api/histogram?log=app&buckets=501", "buckets")]
    [InlineData("/api/events", "log")]
    [InlineData("/api/summary?log=..%2Fescape", "log")]
    [InlineData("/api/follow?log=app&after=nowhere", "after")]
    public async Task A_bad_value_is_refused_with_a_message_that_names_it(string url, string named)
    {
        using HttpResponseMessage response = await _http.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        string error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;
        Assert.Contains(named, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_request_writes_to_the_store()
    {
        List<(string Key, long Size)> before = [.. (await _store.ListSortedAsync("")).Select(m => (m.Key, m.Size))];
        foreach (string url in new[] { "/api/logs", "/api/summary?log=app", "/api/histogram?log=app", "/api/events?log=app", "/api/events?log=none-such", "/" })
        {
            (await _http.GetAsync(url)).EnsureSuccessStatusCode();
            using HttpResponseMessage post = await _http.PostAsync(url, new StringContent("{}"));
            Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        }

        Assert.Equal(before, (await _store.ListSortedAsync("")).Select(m => (m.Key, m.Size)));
    }

    [Fact]
    public async Task The_page_is_served_with_a_policy_that_lets_nothing_foreign_run()
    {
        using HttpResponseMessage page = await _http.GetAsync("/");
        page.EnsureSuccessStatusCode();
        string policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/app.js.map")).StatusCode);
    }

    [Fact]
    public async Task Event_text_is_escaped_in_the_json_so_markup_never_reaches_the_page_as_markup()
    {
        await using (var log = new AppendLog(_store, "hostile", Quiet()))
        {
            await log.AppendAsync(E("""{"level":"Error","message":"<script>alert(1)</script>"}"""));
        }

        string body = await _http.GetStringAsync("/api/events?log=hostile");
        Assert.DoesNotContain("<script>", body, StringComparison.Ordinal);
        Assert.Equal("<script>alert(1)</script>", JsonDocument.Parse(body).RootElement.GetProperty("events")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Follow_streams_new_events_that_pass_the_filter_and_not_those_already_shown()
    {
        string shown = (await GetJsonAsync("/api/events?log=app&limit=1")).GetProperty("events")[0].GetProperty("position").GetString()!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using HttpResponseMessage response = await _http.GetAsync($"/api/follow?log=app&level=Error&after={Uri.EscapeDataString(shown)}", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token), Encoding.UTF8);
        Assert.Equal(": following", await reader.ReadLineAsync(timeout.Token));

        await using (var writer = new AppendLog(_store, "app", Quiet()))
        {
            await writer.AppendAsync(E("""{"level":"Information","message":"not wanted"}"""));
            await writer.AppendAsync(E("""{"level":"Error","message":"wanted"}"""));
        }

        var data = new List<string>();
        while (data.Count == 0 && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Add(line["data: ".Length..]);
            }
        }

        JsonElement e = JsonDocument.Parse(data.Single()).RootElement;
        Assert.Equal("wanted", e.GetProperty("message").GetString());
        Assert.Equal("Error", e.GetProperty("level").GetString());
    }

    private async Task CheckFilterAsync(string filter, Func<(string Text, string? Level), bool> expected)
    {
        string[] want = [.. _seeded.Where(expected).Select(s => s.Text)];
        Assert.NotEmpty(want);
        List<JsonElement> rows = await AllPagesAsync($"log=app&order=oldest&limit=50&{filter}");
        Assert.Equal(want, rows.Select(e => e.GetProperty("raw").GetString()));
        JsonElement histogram = await GetJsonAsync($"/api/histogram?log=app&range=all&{filter}");
        Assert.Equal(want.Length, histogram.GetProperty("total").GetInt64());
    }

    private async Task<List<JsonElement>> AllPagesAsync(string query)
    {
        var events = new List<JsonElement>();
        string? after = null;
        for (int pages = 0; pages < 1000; pages++)
        {
            JsonElement page = await GetJsonAsync($"/api/events?{query}{(after is null ? "" : "&after=" + Uri.EscapeDataString(after))}");
            events.AddRange(page.GetProperty("events").EnumerateArray());
            if (page.GetProperty("next").GetString() is not { } next)
            {
                return events;
            }

            after = next;
        }

        throw new InvalidOperationException("paging did not end");
    }

    private async Task<JsonElement> GetJsonAsync(string url)
    {
        using HttpResponseMessage response = await _http.GetAsync(url);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
