using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using ObjectLog.Tests.Log;
using static ObjectLog.Tests.Extensions.ExtensionFixtures;

namespace ObjectLog.Tests.Extensions;

public sealed class ObjectLogLoggerTests
{
    private static async Task<List<JsonElement>> ReadEntriesAsync(string url, string? category = null)
        => [.. (await ReadStoredAsync(url)).Select(e => JsonDocument.Parse(e).RootElement).Where(e => category is null || e.GetProperty("category").GetString() == category)];

    [Fact]
    public async Task Each_entry_is_one_json_object_with_every_part_of_the_entry()
    {
        string url = NewMemoryUrl("app-logs");
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddObjectLog(url, o => o.FlushInterval = TimeSpan.FromHours(1));
        using IHost host = builder.Build();
        await host.StartAsync();
        ILogger logger = host.Services.GetRequiredService<ILogger<ObjectLogLoggerTests>>();
        using (logger.BeginScope("Request {RequestId}", "r-1"))
        {
            logger.LogInformation(new EventId(7, "Placed"), "Order {OrderId} placed by {Customer} for {Total}", 42, "ada", 9.99m);
            logger.LogError(new InvalidOperationException("outer", new FormatException("inner")), "Failed {OrderId}", 43);
        }

        await host.StopAsync(); // stores what the logger buffered, before the host is disposed

        List<JsonElement> entries = await ReadEntriesAsync(url, typeof(ObjectLogLoggerTests).FullName); // not the host's own
        Assert.Equal(2, entries.Count);
        JsonElement placed = entries[0];
        Assert.True(DateTimeOffset.TryParse(placed.GetProperty("timestamp").GetString(), out DateTimeOffset at));
        Assert.EndsWith("Z", placed.GetProperty("timestamp").GetString(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, at.Offset);
        Assert.Equal("Information", placed.GetProperty("level").GetString());
        Assert.Equal(typeof(ObjectLogLoggerTests).FullName, placed.GetProperty("category").GetString());
        Assert.Equal(7, placed.GetProperty("eventId").GetInt32());
        Assert.Equal("Placed", placed.GetProperty("eventName").GetString());
        Assert.Equal("Order 42 placed by ada for 9.99", placed.GetProperty("message").GetString());
        Assert.Equal("Order {OrderId} placed by {Customer} for {Total}", placed.GetProperty("messageTemplate").GetString());
        Assert.Equal(42, placed.GetProperty("properties").GetProperty("OrderId").GetInt32());
        Assert.Equal("ada", placed.GetProperty("properties").GetProperty("Customer").GetString());
        Assert.Equal(9.99m, placed.GetProperty("properties").GetProperty("Total").GetDecimal());
        JsonElement scope = Assert.Single(placed.GetProperty("scopes").EnumerateArray());
        Assert.Equal("Request r-1", scope.GetProperty("scope").GetString());
        Assert.Equal("r-1", scope.GetProperty("properties").GetProperty("RequestId").GetString());
        Assert.False(placed.TryGetProperty("exception", out _));

        JsonElement failed = entries[1].GetProperty("exception");
        Assert.Equal("System.InvalidOperationException", failed.GetProperty("type").GetString());
        Assert.Equal("outer", failed.GetProperty("message").GetString());
        Assert.Equal("inner", Assert.Single(failed.GetProperty("inner").EnumerateArray()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_store_url_options_and_minimum_level_bind_from_configuration()
    {
        string codeUrl = NewMemoryUrl("code");
        string configUrl = NewMemoryUrl("configured");
        HostApplicationBuilder builder = HostWith(new()
        {
            ["Logging:ObjectLog:StoreUrl"] = configUrl,
            ["Logging:ObjectLog:IncludeScopes"] = "false",
            ["Logging:ObjectLog:FlushThreshold"] = "1",
            ["Logging:ObjectLog:Compression"] = "gzip",
            ["Logging:ObjectLog:LogLevel:Default"] = "Warning",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddObjectLog(codeUrl);
        using IHost host = builder.Build();
        await host.StartAsync();
        ILogger logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("configured");
        using (logger.BeginScope("scope"))
        {
            logger.LogInformation("below the configured level");
            logger.LogWarning("kept");
        }

        await host.StopAsync();

        JsonElement entry = Assert.Single(await ReadEntriesAsync(configUrl, "configured"));
        Assert.Equal("kept", entry.GetProperty("message").GetString());
        Assert.False(entry.TryGetProperty("scopes", out _));
        IReadOnlyList<LogCompression> encodings = await StoredEncodingsAsync(configUrl);
        Assert.NotEmpty(encodings);
        Assert.All(encodings, e => Assert.Equal(LogCompression.Gzip, e));
        Assert.Empty(await ReadEntriesAsync(codeUrl));
    }

    [Fact]
    public async Task Without_a_url_in_code_the_store_url_and_options_come_from_configuration()
    {
        string url = NewMemoryUrl("configured-only");
        HostApplicationBuilder builder = HostWith(new()
        {
            ["Logging:ObjectLog:StoreUrl"] = url,
            ["Logging:ObjectLog:FlushThreshold"] = "1",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddObjectLog();
        builder.Logging.AddObjectLog(o => o.IncludeScopes = false); // adds settings, not a second provider
        using IHost host = builder.Build();
        await host.StartAsync();
        ILogger logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("configured-only");
        using (logger.BeginScope("scope"))
        {
            logger.LogWarning("kept");
        }

        await host.StopAsync();

        JsonElement entry = Assert.Single(await ReadEntriesAsync(url, "configured-only"));
        Assert.Equal("kept", entry.GetProperty("message").GetString());
        Assert.False(entry.TryGetProperty("scopes", out _));
    }

    [Fact]
    public void Without_a_url_in_code_or_configuration_building_the_host_names_the_configuration_key()
    {
        HostApplicationBuilder builder = HostWith([]);
        builder.Logging.AddObjectLog();
        var e = Assert.Throws<InvalidOperationException>(() => builder.Build().Services.GetRequiredService<ILoggerFactory>());
        Assert.Contains("Logging:ObjectLog:StoreUrl", e.Message, StringComparison.Ordinal);
        Assert.Contains("Logging__ObjectLog__StoreUrl", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_buffer_drops_entries_without_blocking_or_throwing_counts_them_and_warns_once_elsewhere()
    {
        string scheme = RegisterHeldStore(out FaultInjectingObjectStore held);
        var others = new CapturingLoggerFactory();
        using var metrics = new MetricTotals("drops/");

        var services = new ServiceCollection();
        services.AddLogging(logging => logging
            .AddProvider(others)
            .AddObjectLog($"{scheme}://drops", o =>
            {
                o.FlushThreshold = 1;
                o.MaxBufferedBytes = 4096;
            }));
        ServiceProvider provider = services.BuildServiceProvider();
        ILogger logger = provider.GetRequiredService<ILogger<ObjectLogLoggerTests>>();

        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 1000; i++)
        {
            logger.LogInformation("Entry {Number} while the store does not answer", i);
        }

        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"1000 entries took {clock.Elapsed}");
        Assert.True(metrics["objectlog.logger.dropped"] > 900, $"dropped {metrics["objectlog.logger.dropped"]}");
        CapturedEntry warning = Assert.Single(others.Entries, e => e.Category == "ObjectLog.Extensions.Logging");
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("objectlog.logger.dropped", warning.Message, StringComparison.Ordinal);

        held.ReleasePuts();
        await provider.DisposeAsync(); // flushes what was accepted
        await using var log = new AppendLog(held.Inner, "drops");
        int stored = (await log.ReadAllAsync()).Count;
        Assert.Equal(1000, stored + (int)metrics["objectlog.logger.dropped"]);
    }

    [Fact]
    public async Task Disposing_the_provider_stores_what_is_buffered()
    {
        string url = NewMemoryUrl("app-logs");
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddObjectLog(url, o => o.FlushInterval = TimeSpan.FromHours(1)));
        ServiceProvider provider = services.BuildServiceProvider();
        provider.GetRequiredService<ILogger<ObjectLogLoggerTests>>().LogInformation("kept at dispose");
        Assert.Empty(await ReadEntriesAsync(url));

        await provider.DisposeAsync();

        Assert.Equal("kept at dispose", Assert.Single(await ReadEntriesAsync(url)).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Disposing_after_the_container_with_the_store_failing_never_throws_and_reports_on_stderr()
    {
        var down = new FaultInjectingObjectStore(new InMemoryObjectStore());
        down.FailWhen((call, _) => call == StoreCall.Put ? Fault.FailBefore : null);
        string scheme = RegisterStore(down, "down");
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddObjectLog($"{scheme}://app-logs", o => o.FlushInterval = TimeSpan.FromHours(1)));
        ServiceProvider provider = services.BuildServiceProvider();
        provider.GetRequiredService<ILogger<ObjectLogLoggerTests>>().LogInformation("not stored");

        string error = await CapturingStderrAsync(async () => await provider.DisposeAsync());

        Assert.Contains("1 entries", error, StringComparison.Ordinal);
        Assert.Contains("were not stored at shutdown", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disposing_with_a_store_that_never_answers_returns_after_the_dispose_timeout()
    {
        string scheme = RegisterHeldStore(out FaultInjectingObjectStore held);
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddObjectLog($"{scheme}://app-logs", o =>
        {
            o.FlushInterval = TimeSpan.FromHours(1);
            o.DisposeTimeout = TimeSpan.FromMilliseconds(300);
        }));
        ServiceProvider provider = services.BuildServiceProvider();
        provider.GetRequiredService<ILogger<ObjectLogLoggerTests>>().LogInformation("held");
        var clock = Stopwatch.StartNew();

        string error = await CapturingStderrAsync(async () => await provider.DisposeAsync());

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
        Assert.Contains("1 entries", error, StringComparison.Ordinal);
        Assert.Contains("were not stored within 00:00:00.3", error, StringComparison.Ordinal);
        held.ReleasePuts();
    }

    [Fact]
    public void The_dispose_timeout_must_be_positive_or_infinite()
    {
        var options = new ObjectLog.Extensions.Logging.ObjectLogLoggerOptions { DisposeTimeout = Timeout.InfiniteTimeSpan };
        Assert.Throws<ArgumentOutOfRangeException>(() => options.DisposeTimeout = TimeSpan.Zero);
        Assert.Equal(Timeout.InfiniteTimeSpan, options.DisposeTimeout);
    }

    private static async Task<string> CapturingStderrAsync(Func<Task> action)
    {
        TextWriter original = Console.Error;
        using var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            await action();
        }
        finally
        {
            Console.SetError(original);
        }

        return captured.ToString();
    }

    [Fact]
    public void A_missing_store_url_fails_when_the_provider_is_built()
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddObjectLog("memory://x/y", o => o.StoreUrl = null));
        using ServiceProvider provider = services.BuildServiceProvider();
        var e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ILoggerFactory>());
        Assert.Contains("Logging:ObjectLog:StoreUrl", e.Message, StringComparison.Ordinal);
    }
}
