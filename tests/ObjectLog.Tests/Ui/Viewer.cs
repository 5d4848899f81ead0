using System.Text.Json;
using Microsoft.Playwright;

namespace ObjectLog.Tests.Ui;

/// <summary>
/// Waits on the log viewer's DOM (docs/ui.md's contract: <c>#rows tr.event</c>, <c>#histogram rect.bar</c>) until it
/// shows what a test expects, and says what it showed instead when it never does.
/// </summary>
internal static class Viewer
{
    /// <summary>How long the page may take to show what a filter asks for: a few requests to a local server.</summary>
    private const float Patience = 10_000;

    /// <summary>The positions of the rows shown, top to bottom.</summary>
    public static Task<string[]> RowPositionsAsync(IPage page)
        => page.Locator("#rows tr.event").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.position)");

    /// <summary>Each bar's level and count summed by level (<c>none</c> for events without one).</summary>
    public static async Task<Dictionary<string, int>> BarTotalsAsync(IPage page)
        => JsonSerializer.Deserialize<Dictionary<string, int>>(await page.EvaluateAsync<string>(BarTotalsScript + "; totals()"))!;

    /// <summary>Waits until the rows are exactly <paramref name="positions"/>, in that order.</summary>
    public static async Task RowsAreAsync(IPage page, IEnumerable<LogPosition> positions)
    {
        string[] expected = [.. positions.Select(p => p.ToString())];
        try
        {
            await page.WaitForFunctionAsync(
                "expected => { const shown = [...document.querySelectorAll('#rows tr.event')].map(r => r.dataset.position); return shown.length === expected.length && shown.every((p, i) => p === expected[i]); }",
                expected, new PageWaitForFunctionOptions { Timeout = Patience });
        }
        catch (TimeoutException)
        {
            string[] shown = await RowPositionsAsync(page);
            Assert.Fail($"The rows never became the {expected.Length} expected; {shown.Length} shown.\nexpected: {Some(expected)}\nshown:    {Some(shown)}\nstatus: {await StatusAsync(page)}");
        }
    }

    /// <summary>Waits until the histogram's bars add up, level by level, to <paramref name="expected"/> (and show no other level).</summary>
    public static async Task BarsAddUpToAsync(IPage page, IReadOnlyDictionary<string, int> expected)
    {
        try
        {
            await page.WaitForFunctionAsync(
                "expected => { " + BarTotalsScript + "; const t = JSON.parse(totals()); const keys = Object.keys(expected); return Object.keys(t).length === keys.length && keys.every(k => t[k] === expected[k]); }",
                expected, new PageWaitForFunctionOptions { Timeout = Patience });
        }
        catch (TimeoutException)
        {
            Dictionary<string, int> shown = await BarTotalsAsync(page);
            Assert.Fail($"The histogram's bars never added up to {Describe(expected)}; they add up to {Describe(shown)}.\nstatus: {await StatusAsync(page)}");
        }
    }

    /// <summary>Waits until the rows are <paramref name="events"/>, newest first, and the bars add up to them level by level.</summary>
    public static async Task ShowsOnlyAsync(IPage page, IReadOnlyCollection<StoredEvent> events)
    {
        await RowsAreAsync(page, NewestFirst(events));
        await BarsAddUpToAsync(page, CountByLevel(events));
    }

    /// <summary>Types <paramref name="text"/> into the input <paramref name="selector"/> and applies it with Enter.</summary>
    public static async Task EnterAsync(IPage page, string selector, string text)
    {
        await page.Locator(selector).FillAsync(text);
        await page.Locator(selector).PressAsync("Enter");
    }

    /// <summary>Counts of <paramref name="events"/> by level, as the histogram keys them.</summary>
    public static Dictionary<string, int> CountByLevel(IEnumerable<StoredEvent> events)
        => events.GroupBy(e => e.Level ?? "none").ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The events in the page's default order, newest first.</summary>
    public static IEnumerable<LogPosition> NewestFirst(IEnumerable<StoredEvent> events) => events.Select(e => e.Position).OrderDescending();

    private const string BarTotalsScript = "const totals = () => JSON.stringify([...document.querySelectorAll('#histogram rect.bar')].reduce((t, b) => { t[b.dataset.level] = (t[b.dataset.level] || 0) + Number(b.dataset.count); return t; }, {}))";

    private static async Task<string> StatusAsync(IPage page)
        => await page.Locator("#status").CountAsync() > 0 ? await page.Locator("#status").InnerTextAsync() : "(no #status)";

    /// <summary>The first few positions, enough to see where two lists part.</summary>
    private static string Some(string[] positions) => string.Join(' ', positions.Take(6)) + (positions.Length > 6 ? $" … ({positions.Length - 6} more)" : "");

    private static string Describe(IReadOnlyDictionary<string, int> counts)
        => counts.Count == 0 ? "nothing" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"));
}
