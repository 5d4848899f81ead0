using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using ObjectLog.Tests.Log;
using static ObjectLog.Tests.Extensions.ExtensionFixtures;

namespace ObjectLog.Tests.Extensions;

public sealed class HealthAndCompactorRoleTests
{
    [Fact]
    public async Task A_failing_store_is_unhealthy_until_a_put_succeeds_and_a_filling_buffer_is_degraded()
    {
        var faulty = new FaultInjectingObjectStore(new InMemoryObjectStore());
        string scheme = "faulty" + Guid.NewGuid().ToString("N")[..8];
        ObjectStoreUrl.Register(scheme, (rest, _) => new ObjectStoreLocation(faulty, rest, "faulty store"));
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Services.AddObjectLog("orders", $"{scheme}://orders", o =>
        {
            o.FlushInterval = Timeout.InfiniteTimeSpan;
            o.MaxBufferedBytes = 100;
        });
        builder.Services.AddHealthChecks().AddObjectLog("orders", tags: ["ready"]);
        using IHost host = builder.Build();
        await host.StartAsync();
        HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();
        AppendLog log = host.Services.GetRequiredKeyedService<AppendLog>("orders");

        HealthReportEntry entry = (await health.CheckHealthAsync()).Entries["objectlog-orders"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Contains("ready", entry.Tags);

        await log.AppendAsync(Encoding.UTF8.GetBytes("a"));
        faulty.FailWhen((call, _) => call == StoreCall.Put ? Fault.FailBefore : null);
        await Assert.ThrowsAsync<InjectedFaultException>(() => log.FlushAsync());
        entry = (await health.CheckHealthAsync()).Entries["objectlog-orders"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.IsType<InjectedFaultException>(entry.Exception);
        Assert.Equal(2L, entry.Data["bufferedBytes"]);

        faulty.FailWhen(null);
        await log.FlushAsync();
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Entries["objectlog-orders"].Status);

        faulty.HoldPuts(); // the store stops answering: the buffer fills
        while (log.TryAppend(new byte[9]))
        {
        }

        entry = (await health.CheckHealthAsync()).Entries["objectlog-orders"];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.True((long)entry.Data["bufferedBytes"] > 80);
        faulty.ReleasePuts();
        await host.StopAsync();
    }

    /// <summary>
    /// Drives a log registered with auto-compaction (a fan-in of 2, every 20 ms) in each role: only a compactor merges
    /// the 8 batches written; a writer never lists the prefix for it, however many intervals pass. Behaviour first,
    /// then the options that produce it.
    /// </summary>
    [Theory]
    [InlineData("none")]
    [InlineData("code")]
    [InlineData("configuration")]
    public async Task Auto_compaction_and_retention_run_only_in_a_process_that_takes_the_compactor_role(string role)
    {
        const int Batches = 8;
        string prefix = "role-" + Guid.NewGuid().ToString("N")[..8];
        using var metrics = new MetricTotals(prefix + "/");
        HostApplicationBuilder builder = HostWith(role == "configuration" ? new() { ["ObjectLog:Compactor"] = "true" } : []);
        builder.Services.AddObjectLog("orders", NewMemoryUrl(prefix), o =>
        {
            o.AutoCompaction = CompactionPolicy.SizeTiered(fanIn: 2);
            o.AutoCompactionInterval = TimeSpan.FromMilliseconds(20);
            o.Retention = TimeSpan.FromDays(30);
            o.FlushInterval = Timeout.InfiniteTimeSpan;
        });
        if (role == "code")
        {
            builder.Services.AddObjectLogCompactor();
        }

        using IHost host = builder.Build();
        await host.StartAsync();
        AppendLog log = host.Services.GetRequiredKeyedService<AppendLog>("orders");
        for (int i = 0; i < Batches; i++)
        {
            await log.AppendAsync(Encoding.UTF8.GetBytes($"{{\"n\":{i}}}"));
            await log.FlushAsync(); // one object each
        }

        bool compactor = role != "none";
        if (compactor)
        {
            for (var wait = Stopwatch.StartNew(); metrics["objectlog.compactions"] == 0 && wait.Elapsed < TimeSpan.FromSeconds(30); await Task.Delay(20))
            {
            }

            Assert.True(metrics["objectlog.compactions"] > 0, "the compactor never compacted");
            Assert.True(metrics["objectlog.requests", "list"] > 0);
        }
        else
        {
            double lists = metrics["objectlog.requests", "list"];
            await Task.Delay(TimeSpan.FromSeconds(1)); // fifty compaction intervals
            Assert.Equal(0, metrics["objectlog.compactions"]);
            Assert.Equal(lists, metrics["objectlog.requests", "list"]); // not even a look: no compaction or retention tick ran
        }

        await host.StopAsync();
        int objects = await log.CountObjectsAsync();
        Assert.True(compactor ? objects < Batches : objects == Batches, $"{role}: {objects} objects of {Batches} batches");
        Assert.Equal(Batches, (await log.ReadAllAsync()).Count); // compaction changes nothing a reader sees

        AppendLogOptions options = host.Services.GetRequiredService<IOptionsMonitor<AppendLogOptions>>().Get("orders");
        Assert.Equal(compactor, options.AutoCompaction is not null);
        Assert.Equal(compactor ? TimeSpan.FromDays(30) : Timeout.InfiniteTimeSpan, options.Retention);
    }
}
