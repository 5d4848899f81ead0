using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Time.Testing;
using ObjectLog.Cli.Ui;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Ui;

/// <summary>
/// <c>objlog ui</c>'s server, run in-process on any free loopback port over a folder store of its own, which the
/// test seeds first; disposing stops the server and deletes the folder.
/// </summary>
public sealed class UiSite : IAsyncDisposable
{
    private readonly TempDirectory _dir;
    private readonly WebApplication _app;

    private UiSite(TempDirectory dir, FileSystemObjectStore store, IReadOnlyDictionary<string, IReadOnlyList<StoredEvent>> logs, WebApplication app)
    {
        _dir = dir;
        Store = store;
        Logs = logs;
        _app = app;
        Url = app.Urls.Single().TrimEnd('/');
    }

    /// <summary>The store's folder: <c>objlog --store</c> takes it.</summary>
    public string StoreDirectory => _dir.Path;

    public FileSystemObjectStore Store { get; }

    /// <summary>The seeded logs by name: each event as stored, in log order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<StoredEvent>> Logs { get; }

    /// <summary>The server's address, without a trailing slash: <c>http://127.0.0.1:PORT</c>.</summary>
    public string Url { get; }

    /// <summary>
    /// Seeds a fresh folder store with <paramref name="logs"/> (each stored at its events' batch times), then starts
    /// the server over it, fixed to <paramref name="fixedLog"/> (<c>--log</c>) or offering the logs it finds.
    /// </summary>
    public static Task<UiSite> StartAsync(string? fixedLog, params (string Name, IReadOnlyList<SeedEvent> Events)[] logs)
        => StartAsync(fixedLog, storeDescription: null, logs);

    /// <summary>Starts the server as the overload above does, describing the store as <paramref name="storeDescription"/> (default: its folder).</summary>
    public static async Task<UiSite> StartAsync(string? fixedLog, string? storeDescription, params (string Name, IReadOnlyList<SeedEvent> Events)[] logs)
    {
        var dir = new TempDirectory();
        try
        {
            var store = new FileSystemObjectStore(dir.Path);
            var stored = new Dictionary<string, IReadOnlyList<StoredEvent>>();
            foreach ((string name, IReadOnlyList<SeedEvent> events) in logs)
            {
                stored[name] = await WriteAsync(store, name, events);
            }

            WebApplication app = UiServer.Build(new UiServerOptions { Store = store, StorePrefix = "", StoreDescription = storeDescription ?? dir.Path, Log = fixedLog, Port = 0 });
            await app.StartAsync();
            return new UiSite(dir, store, stored, app);
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends <paramref name="events"/> to the log <paramref name="name"/>, one batch per distinct batch time, with the
    /// writer's and the store's clocks set to that time (so a log can span the last hour without taking one), then
    /// reads the log back: every event with its position, in log order.
    /// </summary>
    public static async Task<IReadOnlyList<StoredEvent>> WriteAsync(IObjectStore store, string name, IReadOnlyList<SeedEvent> events)
    {
        var clock = new FakeTimeProvider(events.Count > 0 ? events[0].BatchTime : DateTimeOffset.UtcNow);
        var options = new AppendLogOptions { TimeProvider = clock, StoreTimeProvider = clock, FlushThreshold = int.MaxValue, FlushInterval = Timeout.InfiniteTimeSpan };
        var levels = new Queue<string?>();
        await using (var log = new AppendLog(store, name, options))
        {
            foreach (IGrouping<DateTimeOffset, SeedEvent> batch in events.GroupBy(e => e.BatchTime).OrderBy(g => g.Key))
            {
                clock.SetUtcNow(batch.Key);
                foreach (SeedEvent e in batch)
                {
                    await log.AppendAsync(Encoding.UTF8.GetBytes(e.Json));
                    levels.Enqueue(e.Level);
                }

                await log.FlushAsync();
            }
        }

        await using var reader = new AppendLog(store, name);
        var stored = new List<StoredEvent>();
        await foreach (LogEvent e in reader.ReadEventsAsync())
        {
            stored.Add(new StoredEvent(e.Position, Encoding.UTF8.GetString(e.Data), levels.Dequeue()));
        }

        Assert.Equal(events.Count, stored.Count);
        return stored;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _dir.Dispose();
    }
}
