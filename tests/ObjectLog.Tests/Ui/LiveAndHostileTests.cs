using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ObjectLog.Tests.Cli;
using static Microsoft.Playwright.Assertions;

namespace ObjectLog.Tests.Ui;

/// <summary>
/// <c>objlog ui</c>'s page in a real browser: following a log another process appends to, event text that tries to
/// run script staying text, and the screenshot the README shows.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LiveAndHostileTests(BrowserFixture browser)
{
    [Fact]
    public async Task Following_shows_an_event_another_process_appends_within_two_seconds()
    {
        await using UiSite site = await UiSite.StartAsync("app", ("app", ShopEvents.Create(10, 5, TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow)));
        await using WatchedPage watched = await browser.NewPageAsync();
        IPage page = watched.Page;
        await page.GotoAsync(site.Url + "/?range=1h");
        await Viewer.RowsAreAsync(page, Viewer.NewestFirst(site.Logs["app"]));

        await page.Locator("#follow").ClickAsync();
        await Expect(page.Locator("#follow")).ToHaveTextAsync("Pause");
        Assert.Contains("follow=1", page.Url, StringComparison.Ordinal);
        string marker = $"followed-{Guid.NewGuid():N}";
        (int code, _, string error) = await Objlog.RunAsync(site.StoreDirectory, ["append", "--store", site.StoreDirectory, "--log", "app", $"{{\"level\":\"Warning\",\"message\":\"{marker}\"}}"], null);
        var sinceAppended = Stopwatch.StartNew();
        Assert.True(code == 0, error);

        ILocator live = page.Locator("#rows tr.event.live");
        await Expect(live).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = 2000 });
        TimeSpan shownAfter = sinceAppended.Elapsed;
        await Expect(live.Locator("td.message")).ToHaveTextAsync(marker);
        await Expect(live.Locator("td.level")).ToHaveTextAsync("Warning");
        await Expect(page.Locator("#rows tr.event").First).ToHaveClassAsync(new Regex("\\blive\\b")); // at the top: newest first
        await Expect(page.Locator("#rows tr.event")).ToHaveCountAsync(site.Logs["app"].Count + 1);
        Console.WriteLine($"followed event shown {shownAfter.TotalMilliseconds:F0} ms after objlog append returned");

        await page.Locator("#follow").ClickAsync();
        await Expect(page.Locator("#follow")).ToHaveTextAsync("Follow");
        Assert.DoesNotContain("follow=1", page.Url, StringComparison.Ordinal);
        await watched.AssertNothingForbiddenHappenedAsync();
    }

    /// <summary>Text that runs script, or loads something, if a page ever treats event data as markup or as a link.</summary>
    private const string ScriptTag = "<script>window.__pwned=1</script>";
    private const string BrokenImage = "\"><img src=x onerror=\"window.__pwned=1\">";
    private const string JavascriptLink = "javascript:window.__pwned=1";
    private const string MarkupName = "<img src=y onerror=window.__pwned=1>";

    [Fact]
    public async Task Event_text_that_tries_to_run_script_stays_text()
    {
        DateTimeOffset at = DateTimeOffset.UtcNow.AddMinutes(-5);
        SeedEvent[] hostile =
        [
            ShopEvents.LoggerEvent(at, "Error", "Shop.Web", $"comment {ScriptTag}", null),
            ShopEvents.LoggerEvent(at.AddSeconds(1), "Warning", "Shop.Web", $"name {BrokenImage}", null),
            ShopEvents.Clef(at.AddSeconds(2), "Open {Link}", "Information", ("Link", JavascriptLink)),
            new(at.AddSeconds(3), $"{{\"level\":\"Error\",\"message\":\"odd property\",\"properties\":{{{ShopEvents.Json(MarkupName)}:\"{ScriptTag.Replace("/", "\\/", StringComparison.Ordinal)}\"}}}}", "Error"),
            new(at.AddSeconds(4), $"{{{ShopEvents.Json(BrokenImage)}:1,\"href\":\"{JavascriptLink}\"}}", null),
        ];
        await using UiSite site = await UiSite.StartAsync("app", ("app", hostile));
        await using WatchedPage watched = await browser.NewPageAsync();
        IPage page = watched.Page;

        await page.GotoAsync(site.Url + "/?range=1h");
        await Viewer.RowsAreAsync(page, Viewer.NewestFirst(site.Logs["app"]));
        foreach (ILocator row in await page.Locator("#rows tr.event").AllAsync())
        {
            await row.ClickAsync();
        }

        await Expect(page.Locator("#rows tr.detail pre.json")).ToHaveCountAsync(hostile.Length);
        await Expect(page.Locator("#rows tr.event td.message").First).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__pwned ?? null"));
        await Expect(page.Locator("#rows img, #rows script, #rows iframe, #rows object, #rows svg")).ToHaveCountAsync(0);
        await Expect(page.Locator("script")).ToHaveCountAsync(1); // the page's own app.js, nothing added
        await Expect(page.Locator("a[href^='javascript' i], [onerror], [onclick], [onmouseover]")).ToHaveCountAsync(0);

        string rows = await page.Locator("#rows").InnerTextAsync();
        Assert.Contains($"comment {ScriptTag}", rows, StringComparison.Ordinal);
        Assert.Contains($"name {BrokenImage}", rows, StringComparison.Ordinal);
        Assert.Contains($"Open {JavascriptLink}", rows, StringComparison.Ordinal);
        IReadOnlyList<string> details = await page.Locator("#rows tr.detail pre.json").AllInnerTextsAsync();
        foreach (StoredEvent e in site.Logs["app"])
        {
            Assert.Contains(details, d => JsonNode.DeepEquals(JsonNode.Parse(d), JsonNode.Parse(e.Raw)));
        }

        Assert.Contains(details, d => d.Contains(MarkupName, StringComparison.Ordinal));
        Assert.Contains(details, d => d.Contains(BrokenImage.Replace("\"", "\\\"", StringComparison.Ordinal), StringComparison.Ordinal));

        // The policy is the second line of defence: were the page to insert markup, the browser would still refuse to run it.
        IResponse? response = await page.GotoAsync(site.Url + "/?range=1h");
        Assert.Contains("script-src 'self'", (await response!.AllHeadersAsync())["content-security-policy"], StringComparison.Ordinal);
        await watched.AssertNothingForbiddenHappenedAsync();
    }

    /// <summary>
    /// The README's picture: a busy hour of a shop's log, with a burst of errors. Written to the test's output folder
    /// on every run; copied to docs/ui.png only with OBJECTLOG_UI_SCREENSHOT=1, so a run changes no tracked file unless asked.
    /// </summary>
    [Fact]
    public async Task The_screenshot_shows_a_populated_histogram_with_levels()
    {
        await using UiSite site = await UiSite.StartAsync("app", "./objectlog-data", ("app", ShopEvents.Create(900, 116, TimeSpan.FromMinutes(58), DateTimeOffset.UtcNow, seed: 11)));
        await using WatchedPage watched = await browser.NewPageAsync();
        IPage page = watched.Page;

        await page.GotoAsync(site.Url + "/?range=1h");
        await Viewer.BarsAddUpToAsync(page, Viewer.CountByLevel(site.Logs["app"]));
        await Expect(page.Locator("#rows tr.event").First).ToBeVisibleAsync();
        await page.Locator("#rows tr.event").Filter(new LocatorFilterOptions { HasText = "card declined" }).First.ClickAsync(); // an ILogger event, with properties
        await Expect(page.Locator("#rows tr.detail pre.json")).ToBeVisibleAsync();
        await Expect(page.Locator("#sum-objects")).Not.ToHaveTextAsync("–");

        string path = Path.Combine(AppContext.BaseDirectory, "ui.png");
        byte[] png = await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        Assert.Equal((BrowserFixture.Viewport.Width, BrowserFixture.Viewport.Height), PngSize(png));
        Assert.True(Viewer.CountByLevel(site.Logs["app"]).Count >= 4, "the picture shows several levels");
        if (Environment.GetEnvironmentVariable("OBJECTLOG_UI_SCREENSHOT") == "1")
        {
            File.Copy(path, Path.Combine(ChildProcess.RepositoryRoot, "docs", "ui.png"), overwrite: true);
        }

        await watched.AssertNothingForbiddenHappenedAsync();
    }

    /// <summary>A PNG's width and height, from its IHDR chunk.</summary>
    private static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.True(png.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "not a PNG");
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }
}
