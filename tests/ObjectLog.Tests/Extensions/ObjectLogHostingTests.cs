using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Extensions.ExtensionFixtures;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Extensions;

public sealed class ObjectLogHostingTests
{
    private static async Task<int> CountStoredAsync(string url) => (await ReadStoredAsync(url)).Count;

    [Fact]
    public async Task Keyed_logs_resolve_by_name_to_one_instance_each()
    {
        var services = new ServiceCollection();
        services.AddObjectLog("orders", NewMemoryUrl("orders"));
        services.AddObjectLog("audit", NewMemoryUrl("audit"));
        await using ServiceProvider provider = services.BuildServiceProvider(); // AppendLog is only IAsyncDisposable

        AppendLog orders = provider.GetRequiredKeyedService<AppendLog>("orders");
        Assert.Same(orders, provider.GetRequiredKeyedService<AppendLog>("orders"));
        Assert.Equal("orders/", orders.KeyPrefix);
        Assert.Equal("audit/", provider.GetRequiredKeyedService<AppendLog>("audit").KeyPrefix);
        Assert.Throws<ArgumentException>(() => services.AddObjectLog("orders", NewMemoryUrl("again")));
    }

    [Fact]
    public async Task The_store_url_and_options_bind_from_configuration_and_code_has_the_last_word()
    {
        string codeUrl = NewMemoryUrl("code");
        string configUrl = NewMemoryUrl("configured");
        HostApplicationBuilder builder = HostWith(new()
        {
            ["ObjectLog:Logs:orders:StoreUrl"] = configUrl,
            ["ObjectLog:Logs:orders:FlushThreshold"] = "1",
            ["ObjectLog:Logs:orders:MaxEventBytes"] = "100",
        });
        builder.Services.AddObjectLog("orders", codeUrl, o => o.MaxEventBytes = 50);
        using IHost host = builder.Build();
        AppendLog orders = host.Services.GetRequiredKeyedService<AppendLog>("orders");

        await orders.AppendAsync(E("one")); // a threshold of 1: stored before it completes
        Assert.Equal(1, await CountStoredAsync(configUrl));
        Assert.Equal(0, await CountStoredAsync(codeUrl));
        await Assert.ThrowsAsync<ArgumentException>(async () => await orders.AppendAsync(new byte[60])); // 50 from code, not 100
    }

    [Theory]
    [InlineData(null, LogCompression.Zstd)]
    [InlineData("none", LogCompression.None)]
    [InlineData("GZIP", LogCompression.Gzip)]
    [InlineData("Zstd", LogCompression.Zstd)]
    public async Task The_compression_binds_from_configuration_by_name_in_any_case(string? configured, LogCompression expected)
    {
        string url = NewMemoryUrl("orders");
        HostApplicationBuilder builder = HostWith(new() { ["ObjectLog:Logs:orders:Compression"] = configured });
        builder.Services.AddObjectLog("orders", url);
        using IHost host = builder.Build();
        Assert.Equal(expected, host.Services.GetRequiredService<IOptionsMonitor<AppendLogOptions>>().Get("orders").Compression);

        AppendLog orders = host.Services.GetRequiredKeyedService<AppendLog>("orders");
        await orders.AppendAsync(E("one"));
        await orders.FlushAsync();
        Assert.Single(await orders.ReadAllAsync());
        Assert.Equal(expected, Assert.Single(await StoredEncodingsAsync(url)));
    }

    [Theory]
    [InlineData("Brotli", "ObjectLog:Logs:orders:Compression")] // not a name: the binder names the key
    [InlineData("7", "Compression must be None, Gzip or Zstd.")] // a number that is no member: the setter's rule
    public async Task A_bad_compression_in_configuration_names_the_setting_when_the_log_is_resolved(string value, string message)
    {
        HostApplicationBuilder builder = HostWith(new() { ["ObjectLog:Logs:orders:Compression"] = value });
        builder.Services.AddObjectLog("orders", NewMemoryUrl("orders"));
        using IHost host = builder.Build();
        Exception e = Assert.ThrowsAny<Exception>(() => host.Services.GetRequiredKeyedService<AppendLog>("orders"));
        Assert.True(e is InvalidOperationException or ArgumentOutOfRangeException, e.ToString());
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task Without_a_url_in_code_the_store_url_comes_from_configuration()
    {
        string url = NewMemoryUrl("configured-only");
        HostApplicationBuilder builder = HostWith(new()
        {
            ["ObjectLog:Logs:orders:StoreUrl"] = url,
            ["ObjectLog:Logs:audit:StoreUrl"] = NewMemoryUrl("audit"),
        });
        builder.Services.AddObjectLog("orders", o => o.FlushThreshold = 1);
        builder.Services.AddObjectLog("audit");
        using IHost host = builder.Build();

        await host.Services.GetRequiredKeyedService<AppendLog>("orders").AppendAsync(E("one")); // a threshold of 1 from code
        Assert.Equal(1, await CountStoredAsync(url));
        Assert.Equal("audit/", host.Services.GetRequiredKeyedService<AppendLog>("audit").KeyPrefix);
    }

    [Fact]
    public async Task Without_a_url_in_code_or_configuration_resolving_the_log_names_the_configuration_key()
    {
        var services = new ServiceCollection();
        services.AddObjectLog("orders");
        await using ServiceProvider provider = services.BuildServiceProvider();
        var e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredKeyedService<AppendLog>("orders"));
        Assert.Contains("ObjectLog:Logs:orders:StoreUrl", e.Message, StringComparison.Ordinal);
        Assert.Contains("ObjectLog__Logs__orders__StoreUrl", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_entry_accepted_before_stop_is_stored_when_the_host_stops_mid_burst()
    {
        string url = NewMemoryUrl("burst");
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Services.AddObjectLog("burst", url, o =>
        {
            o.FlushThreshold = 50;
            o.FlushInterval = TimeSpan.FromHours(1);
        });
        using IHost host = builder.Build();
        await host.StartAsync();
        AppendLog log = host.Services.GetRequiredKeyedService<AppendLog>("burst");

        int accepted = 0;
        using var stop = new CancellationTokenSource();
        Task burst = Task.Run(() =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    if (log.TryAppend(E($"e{i}")))
                    {
                        Volatile.Write(ref accepted, accepted + 1); // one writer; the test thread watches it
                    }
                }
                catch (ObjectDisposedException)
                {
                    return; // the host closed the log mid-burst
                }
            }
        });
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref accepted) < 1_000 && started.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(5); // mid-burst: stop only once it is well under way, however slow the machine
        }

        await host.StopAsync();
        await stop.CancelAsync();
        await burst;

        Assert.True(accepted > 0);
        Assert.Equal(accepted, await CountStoredAsync(url));
        Assert.Equal(accepted, (await log.ReadAllAsync()).Count); // reads still work on the closed log
    }

    [Fact]
    public async Task What_cannot_be_stored_within_the_shutdown_timeout_is_logged()
    {
        string scheme = RegisterHeldStore(out FaultInjectingObjectStore held);
        var captured = new CapturingLoggerFactory();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(captured);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(200));
        builder.Services.AddObjectLog("slow", $"{scheme}://slow", o => o.FlushInterval = TimeSpan.FromHours(1));
        IHost host = builder.Build();
        await host.StartAsync();
        await host.Services.GetRequiredKeyedService<AppendLog>("slow").AppendAsync(E("stuck"));

        await host.StopAsync();

        CapturedEntry error = Assert.Single(captured.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("'slow'", error.Message, StringComparison.Ordinal);
        Assert.Contains("shutdown timeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("bytes are still buffered", error.Message, StringComparison.Ordinal);
        held.ReleasePuts();
        host.Dispose(); // the store answers again: disposing stores the rest
        Assert.Single(await new AppendLog(held.Inner, "slow").ReadAllAsync());
    }

    [Fact]
    public async Task With_the_store_down_disposing_the_host_after_its_stop_does_not_throw()
    {
        var down = new FaultInjectingObjectStore(new InMemoryObjectStore());
        down.FailWhen((call, _) => call == StoreCall.Put ? Fault.FailBefore : null);
        string scheme = RegisterStore(down, "down");
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddObjectLog("orders", $"{scheme}://orders", o => o.FlushInterval = TimeSpan.FromHours(1));
        IHost host = builder.Build();
        await host.StartAsync();
        await host.Services.GetRequiredKeyedService<AppendLog>("orders").AppendAsync(E("not stored"));
        await host.StopAsync(); // logs what it could not store

        host.Dispose();
    }
}
