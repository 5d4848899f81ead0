using Microsoft.Playwright;

namespace ObjectLog.Tests.Ui;

/// <summary>One headless chromium for the browser tests of <c>objlog ui</c>, launched once and shared by the collection.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>The window size every page gets: wide enough for the histogram, the filters and the rows side by side.</summary>
    public static readonly ViewportSize Viewport = new() { Width = 1400, Height = 900 };

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not launched.");

    public async Task InitializeAsync()
    {
        string executable = Chromium.Executable();
        _playwright = await Playwright.CreateAsync(); // starts the node driver the package ships: nothing is downloaded
        // --no-sandbox: CI runs as root, where chromium refuses to start sandboxed.
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = executable, Args = ["--no-sandbox"], Headless = true });
    }

    /// <summary>A page in a context of its own (no cookies, storage or history shared with any other), watched for what must not happen.</summary>
    public async Task<WatchedPage> NewPageAsync()
    {
        IBrowserContext context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = Viewport });
        return await WatchedPage.OpenAsync(context);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>The browser tests share one chromium and run one after another, so a follow test's two-second budget is not shared with another page.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "objlog ui in a browser";
}
