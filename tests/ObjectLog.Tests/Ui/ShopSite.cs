namespace ObjectLog.Tests.Ui;

/// <summary>
/// The shop's log the viewer tests read and never change: 80 events, two a batch, over the last 40 minutes (all on
/// one page of rows, and in the last hour), served with <c>--log app</c>.
/// </summary>
public sealed class ShopSite : IAsyncLifetime
{
    private UiSite? _site;

    public UiSite Site => _site ?? throw new InvalidOperationException("The site is not started.");

    /// <summary>The log's events as stored, in log order.</summary>
    public IReadOnlyList<StoredEvent> Events => Site.Logs["app"];

    public static IReadOnlyList<SeedEvent> Seed() => ShopEvents.Create(80, 40, TimeSpan.FromMinutes(40), DateTimeOffset.UtcNow);

    public async Task InitializeAsync() => _site = await UiSite.StartAsync("app", ("app", Seed()));

    public async Task DisposeAsync()
    {
        if (_site is not null)
        {
            await _site.DisposeAsync();
        }
    }
}
