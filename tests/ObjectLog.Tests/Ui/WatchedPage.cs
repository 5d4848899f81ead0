using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace ObjectLog.Tests.Ui;

/// <summary>
/// A page with everything recorded that must never happen on the log viewer: a dialog (alert, confirm, prompt), an
/// uncaught script error, a console error, and a content security policy violation (something on the page tried to
/// load or run what the policy forbids: the page's own code never does).
/// </summary>
public sealed class WatchedPage : IAsyncDisposable
{
    /// <summary>
    /// Runs before the page's own script, in every document of the context: collects violations reported to the page
    /// itself, which holds even when the browser does not log them to the console.
    /// </summary>
    private const string ViolationListener = """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || '')));
        """;

    private readonly ConcurrentQueue<string> _problems = new();

    private WatchedPage(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Dialog += (_, dialog) =>
        {
            _problems.Enqueue($"a {dialog.Type} dialog opened: {dialog.Message}");
            _ = dialog.DismissAsync();
        };
        page.PageError += (_, error) => _problems.Enqueue($"uncaught error: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _problems.Enqueue($"console error: {message.Text}");
            }
        };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public static async Task<WatchedPage> OpenAsync(IBrowserContext context)
    {
        await context.AddInitScriptAsync(ViolationListener);
        return new WatchedPage(context, await context.NewPageAsync());
    }

    /// <summary>Fails the test if anything listed above happened, naming each.</summary>
    public async Task AssertNothingForbiddenHappenedAsync()
    {
        string[] violations = await Page.EvaluateAsync<string[]>("() => window.__cspViolations ?? []");
        string[] all = [.. _problems, .. violations.Select(v => $"content security policy violation: {v}")];
        Assert.True(all.Length == 0, "The page did what it must not:\n" + string.Join('\n', all));
    }

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}
