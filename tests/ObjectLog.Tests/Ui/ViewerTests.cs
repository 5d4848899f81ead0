using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ObjectLog.Tests.Ui;

/// <summary>
/// <c>objlog ui</c>'s page in a real browser over a seeded store: the histogram and the rows, each filter, a row's
/// details, a shared URL, and the list of logs. Every test also fails if the page opened a dialog, threw, logged an
/// error or broke its content security policy.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ViewerTests(BrowserFixture browser, ShopSite shop) : IClassFixture<ShopSite>
{
    private UiSite Site => shop.Site;

    [Fact]
    public async Task The_histogram_and_the_rows_show_every_seeded_event_by_level()
    {
        IReadOnlyList<StoredEvent> events = shop.Events;
        await using WatchedPage watched = await OpenLastHourAsync(); // once the rows are every event, newest first
        IPage page = watched.Page;

        await Viewer.BarsAddUpToAsync(page, Viewer.CountByLevel(events));
        await Expect(page.Locator("#rows tr.event td.level")).ToHaveTextAsync([.. events.OrderByDescending(e => e.Position).Select(e => e.Level ?? "")]);
        await Expect(page.Locator("#sum-events")).ToHaveTextAsync(new Regex($"\\b{events.Count}\\b"));
        foreach (string level in events.Select(e => e.Level).OfType<string>().Distinct())
        {
            await Expect(page.Locator($"#levels input[value={level}]")).Not.ToBeCheckedAsync();
        }

        Assert.True(await page.Locator("#log").IsHiddenAsync() || await page.Locator("#log").IsDisabledAsync(), "with --log, the log cannot be changed");
        await watched.AssertNothingForbiddenHappenedAsync();
    }

    [Fact]
    public async Task Checking_a_level_narrows_the_rows_and_the_bars_to_it()
    {
        StoredEvent[] errors = [.. shop.Events.Where(e => e.Level == "Error")];
        Assert.InRange(errors.Length, 3, 40);
        await using WatchedPage watched = await OpenLastHourAsync();
        IPage page = watched.Page;

        await page.Locator("#levels input[value=Error]").CheckAsync();

        await Viewer.ShowsOnlyAsync(page, errors); // the bars: Error only
        await Expect(page.Locator("#rows tr.event td.level")).ToHaveTextAsync([.. errors.Select(_ => "Error")]);
        await Expect(page.Locator("#sum-events")).ToHaveTextAsync(new Regex($"\\b{errors.Length}\\b"));
        Assert.Contains("level=Error", page.Url, StringComparison.Ordinal);
        await watched.AssertNothingForbiddenHappenedAsync();
    }

    [Fact]
    public async Task The_text_filter_narrows_the_rows_and_the_bars_ignoring_case()
    {
        StoredEvent[] declined = [.. shop.Events.Where(e => e.Raw.Contains("declined", StringComparison.OrdinalIgnoreCase))];
        Assert.InRange(declined.Length, 3, 40);
        await using WatchedPage watched = await OpenLastHourAsync();
        IPage page = watched.Page;

        await Viewer.EnterAsync(page, "#q", "DECLINED");

        await Viewer.ShowsOnlyAsync(page, declined);
        await Expect(page.Locator("#rows tr.event td.message")).ToContainTextAsync([.. declined.Select(_ => "card declined")]);
        await watched.AssertNothingForbiddenHappenedAsync();
    }

    [Fact]
    public async Task A_where_clause_on_a_property_narrows_to_the_events_holding_that_value()
    {
        // ILogger events carry OrderId in "properties"; CLEF ones at the top level, so they must not match.
        StoredEvent[] order42 = [.. shop.Events.Where(e => PropertiesOrderId(e) == 42)];
        Assert.InRange(order42.Length, 2, 40);
        Assert.Contains(shop.Events, e => e.Raw.Contains("\"OrderId\":42", StringComparison.Ordinal) && !e.Raw.Contains("properties", StringComparison.Ordinal));
        await using WatchedPage watched = await OpenLastHourAsync();
        IPage page = watched.Page;

        await Viewer.EnterAsync(page, "#where", "properties.OrderId=42");

        await Viewer.ShowsOnlyAsync(page, order42);
        await watched.AssertNothingForbiddenHappenedAsync();
    }

    [Fact]
    public async Task A_row_expands_to_its_event_as_pretty_json_with_its_position_and_collapses_again()
    {
        StoredEvent clef = shop.Events.First(e => e.Raw.Contains("\"@mt\"", StringComparison.Ordinal) && e.Level == "Warning");
        await using WatchedPage watched = await browser.NewPageAsync();
        IPage page = watched.Page;
        await watched.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = Site.Url });
        await page.GotoAsync(Site.Url + "/?range=1h");
        ILocator row = page.Locator($"#rows tr.event[data-position='{clef.Position}']");
        await Expect(row.Locator("td.message")).ToHaveTextAsync($"Order {JsonNode.Parse(clef.Raw)!["OrderId"]} failed");
        await Expect(row.Locator("td.level")).ToHaveTextAsync("Warning");

        await row.ClickAsync();

        ILocator detail = page.Locator($"#rows tr.event[data-position='{clef.Position}'] + tr.detail");
        await Expect(detail.Locator("pre.json")).ToBeVisibleAsync();
        string json = await detail.Locator("pre.json").InnerTextAsync();
        Assert.Contains('\n', json.Trim()); // pretty: one property a line
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(clef.Raw), JsonNode.Parse(json)), $"the details show\n{json}\nnot the event\n{clef.Raw}");
        string shown = (await detail.Locator(".position").InnerTextAsync()).Trim();
        Assert.True(LogPosition.TryParse(shown, out LogPosition position), $"'{shown}' is not a position");
        Assert.Equal(clef.Position, position);

        await detail.Locator("button.copy").ClickAsync();
        await Expect(detail.Locator("button.copy")).ToHaveTextAsync(new Regex("Copied"));
        Assert.Equal(clef.Position.ToString(), await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

        await row.ClickAsync();
        await Expect(detail).ToBeHiddenAsync();
        await watched.AssertNothingForbiddenHappenedAsync();
    }

    [Theory]
    [InlineData("1h")]
    [InlineData("custom")]
    public async Task A_shared_url_opens_the_same_view_in_a_new_browser_context(string range)
    {
        IReadOnlyList<StoredEvent> events = shop.Events;
        // custom: the middle of the log, so the range narrows the rows as well; its ends fall between batches (a minute apart)
        DateTimeOffset from = WholeSeconds(events[20].Position.BatchTime.AddSeconds(-5)), until = WholeSeconds(events[60].Position.BatchTime.AddSeconds(-5));
        StoredEvent[] expected = [.. events.Where(e => (range != "custom" || (e.Position.BatchTime >= from && e.Position.BatchTime < until))
            && e.Level is "Error" or "Information" && e.Raw.Contains("order", StringComparison.OrdinalIgnoreCase)
            && PropertiesOrderId(e) == 42)];
        Assert.NotEmpty(expected);
        Assert.True(range != "custom" || expected.Length < events.Count(e => e.Level is "Error" or "Information" && PropertiesOrderId(e) == 42), "the custom range leaves some out");

        string url;
        string[] shown;
        await using (WatchedPage first = await browser.NewPageAsync())
        {
            IPage page = first.Page;
            await page.GotoAsync(Site.Url + "/?range=24h");
            await Viewer.RowsAreAsync(page, Viewer.NewestFirst(events));
            await page.Locator("#range").SelectOptionAsync(range);
            if (range == "custom")
            {
                await page.Locator("#from").FillAsync(Iso(from));
                await page.Locator("#until").FillAsync(Iso(until));
                await page.Locator("#until").PressAsync("Enter");
            }

            await page.Locator("#levels input[value=Error]").CheckAsync();
            await page.Locator("#levels input[value=Information]").CheckAsync();
            await Viewer.EnterAsync(page, "#q", "order");
            await Viewer.EnterAsync(page, "#where", "properties.OrderId=42");
            await page.Locator("#order").SelectOptionAsync("oldest");
            await Viewer.RowsAreAsync(page, expected.Select(e => e.Position).Order());
            url = page.Url;
            shown = await Viewer.RowPositionsAsync(page);
            await first.AssertNothingForbiddenHappenedAsync();
        }

        await using WatchedPage second = await browser.NewPageAsync();
        await second.Page.GotoAsync(url);
        await Viewer.RowsAreAsync(second.Page, shown.Select(LogPosition.Parse));
        await Expect(second.Page.Locator("#range")).ToHaveValueAsync(range);
        if (range == "custom")
        {
            await Expect(second.Page.Locator("#from")).ToHaveValueAsync(Iso(from));
            await Expect(second.Page.Locator("#until")).ToHaveValueAsync(Iso(until));
        }

        await Expect(second.Page.Locator("#levels input[value=Error]")).ToBeCheckedAsync();
        await Expect(second.Page.Locator("#levels input[value=Information]")).ToBeCheckedAsync();
        await Expect(second.Page.Locator("#levels input[value=Warning]")).Not.ToBeCheckedAsync();
        await Expect(second.Page.Locator("#q")).ToHaveValueAsync("order");
        await Expect(second.Page.Locator("#where")).ToHaveValueAsync("properties.OrderId=42");
        await Expect(second.Page.Locator("#order")).ToHaveValueAsync("oldest");
        await second.AssertNothingForbiddenHappenedAsync();
    }

    [Fact]
    public async Task Without_a_fixed_log_the_page_offers_the_logs_in_the_store_and_shows_the_one_chosen()
    {
        IReadOnlyList<SeedEvent> demo = [.. Enumerable.Range(1, 5).Select(i => new SeedEvent(DateTimeOffset.UtcNow.AddMinutes(-10 + i), $"{{\"trial\":{i},\"outcome\":\"ok\"}}", null))];
        await using UiSite site = await UiSite.StartAsync(null, ("app", ShopSite.Seed()), ("demo", demo));
        await using WatchedPage watched = await browser.NewPageAsync();
        IPage page = watched.Page;

        await page.GotoAsync(site.Url + "/?range=1h");

        await Expect(page.Locator("#log")).ToBeEnabledAsync();
        await Expect(page.Locator("#log option")).ToHaveCountAsync(2);
        Assert.Equal(["app", "demo"], (await page.Locator("#log option").EvaluateAllAsync<string[]>("o => o.map(x => x.value)")).Order());
        await page.Locator("#log").SelectOptionAsync("demo");
        await Viewer.RowsAreAsync(page, Viewer.NewestFirst(site.Logs["demo"]));
        await Viewer.BarsAddUpToAsync(page, new Dictionary<string, int> { ["none"] = 5 });
        Assert.Contains("log=demo", page.Url, StringComparison.Ordinal);
        await page.Locator("#log").SelectOptionAsync("app");
        await Viewer.RowsAreAsync(page, Viewer.NewestFirst(site.Logs["app"]));
        await watched.AssertNothingForbiddenHappenedAsync();
    }

    /// <summary>A new page on the shop's last hour, once it shows every event.</summary>
    private async Task<WatchedPage> OpenLastHourAsync()
    {
        WatchedPage watched = await browser.NewPageAsync();
        await watched.Page.GotoAsync(Site.Url + "/?range=1h");
        await Viewer.RowsAreAsync(watched.Page, Viewer.NewestFirst(shop.Events));
        return watched;
    }

    /// <summary>An ILogger event's <c>properties.OrderId</c>; <see langword="null"/> for other events.</summary>
    private static int? PropertiesOrderId(StoredEvent e) => JsonNode.Parse(e.Raw)?["properties"]?["OrderId"]?.GetValue<int>();

    private static DateTimeOffset WholeSeconds(DateTimeOffset time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Offset);

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
