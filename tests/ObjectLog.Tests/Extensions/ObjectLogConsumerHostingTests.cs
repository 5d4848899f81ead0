using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using ObjectLog.Extensions.Hosting;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Extensions.ExtensionFixtures;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Extensions;

public sealed class ObjectLogConsumerHostingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>What the handlers of one test did, shared by every handler instance the service resolves.</summary>
    private sealed class Recorder
    {
        private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<LogEvent> _handled = new();
        private readonly ConcurrentDictionary<object, bool> _instances = new(ReferenceEqualityComparer.Instance);

        /// <summary>Decides an attempt: given the event's text and its attempt number (from 1), throw to fail it.</summary>
        public Func<string, int, CancellationToken, Task> Behaviour { get; set; } = (_, _, _) => Task.CompletedTask;

        public IReadOnlyList<string> Handled => [.. _handled.Select(e => Encoding.UTF8.GetString(e.Data))];

        public IReadOnlyList<LogEvent> HandledEvents => [.. _handled];

        public int Instances => _instances.Count;

        public int AttemptsOf(string text) => _attempts.GetValueOrDefault(text);

        public async Task HandleAsync(object instance, LogEvent logEvent, CancellationToken cancellationToken)
        {
            _instances.TryAdd(instance, true);
            string text = Encoding.UTF8.GetString(logEvent.Data);
            int attempt = _attempts.AddOrUpdate(text, 1, (_, n) => n + 1);
            await Behaviour(text, attempt, cancellationToken);
            _handled.Enqueue(logEvent);
        }

        public async Task WaitForAsync(Func<IReadOnlyList<string>, bool> done)
        {
            using var timeout = new CancellationTokenSource(Patience);
            while (!done(Handled))
            {
                await Task.Delay(10, timeout.Token);
            }
        }
    }

    private sealed class RecordingHandler(Recorder recorder) : ILogEventHandler
    {
        public Task HandleAsync(LogEvent logEvent, CancellationToken cancellationToken) => recorder.HandleAsync(this, logEvent, cancellationToken);
    }

    private sealed class Bench
    {
        public string Url { get; } = NewMemoryUrl("orders");

        public Recorder Recorder { get; } = new();

        /// <summary>A host with the log <c>orders</c> at <see cref="Url"/> and its consumer <c>billing</c> handled by the recorder.</summary>
        public IHost Host(Action<ObjectLogConsumerOptions>? configure = null, Action<IHealthChecksBuilder>? health = null)
        {
            HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
            builder.Services.AddObjectLog("orders", Url, o => o.FlushInterval = Timeout.InfiniteTimeSpan);
            builder.Services.AddSingleton(Recorder);
            builder.Services.AddObjectLogConsumer<RecordingHandler>("orders", "billing", o =>
            {
                o.RetryDelay = TimeSpan.FromMilliseconds(1);
                o.Consumer.LeaseDuration = TimeSpan.FromSeconds(3);
                configure?.Invoke(o);
            });
            health?.Invoke(builder.Services.AddHealthChecks());
            return builder.Build();
        }

        /// <summary>Stores <paramref name="texts"/> in one batch, through a writer of its own (as another process would).</summary>
        public async Task AppendAsync(params string[] texts)
        {
            using ObjectStoreLocation location = ObjectStoreUrl.Open(Url);
            await using var log = new AppendLog(location.Store, location.Prefix, Quiet());
            foreach (string text in texts)
            {
                await log.AppendAsync(E(text));
            }

            await log.FlushAsync();
        }

        /// <summary>The events of the dead-letter log at its documented default prefix, <c>{log prefix}/_dead/{consumer}</c>.</summary>
        public async Task<IReadOnlyList<JsonElement>> DeadLettersAsync()
        {
            using ObjectStoreLocation location = ObjectStoreUrl.Open(Url);
            await using var log = new AppendLog(location.Store, location.Prefix + "/_dead/billing");
            return [.. (await log.ReadAllAsync()).Select(e => JsonDocument.Parse(e).RootElement.Clone())];
        }
    }

    private static string[] Numbered(int from, int count) => [.. Enumerable.Range(from, count).Select(i => $"{{\"n\":{i}}}")];

    [Fact]
    public async Task The_handler_receives_every_event_in_order_from_a_scope_of_its_own()
    {
        var bench = new Bench();
        string[] first = Numbered(0, 20), second = Numbered(20, 20);
        await bench.AppendAsync(first);
        using IHost host = bench.Host();
        await host.StartAsync();
        await bench.Recorder.WaitForAsync(h => h.Count >= 20);
        await bench.AppendAsync(second); // while it waits for new events
        await bench.Recorder.WaitForAsync(h => h.Count >= 40);
        await host.StopAsync();

        Assert.Equal([.. first, .. second], bench.Recorder.Handled);
        Assert.Equal(40, bench.Recorder.Instances); // one scope, so one scoped handler, per attempt
        Assert.Empty(await bench.DeadLettersAsync());
    }

    [Fact]
    public async Task An_event_that_keeps_failing_is_retried_then_dead_lettered_with_its_error_and_the_consumer_moves_on()
    {
        var bench = new Bench();
        bench.Recorder.Behaviour = (text, attempt, _) => text switch
        {
            """{"n":"flaky"}""" when attempt < 3 => throw new InvalidOperationException($"flaky attempt {attempt}"),
            """{"n":"poison"}""" => throw new FormatException($"poison attempt {attempt}"),
            "not json" => throw new FormatException("not json either"),
            _ => Task.CompletedTask,
        };
        await bench.AppendAsync("""{"n":1}""", """{"n":"flaky"}""", """{"n":"poison"}""", "not json", """{"n":2}""");
        using IHost host = bench.Host(o => o.MaxAttempts = 3);
        await host.StartAsync();
        await bench.Recorder.WaitForAsync(h => h.Contains("""{"n":2}"""));
        await host.StopAsync();

        Assert.Equal(["""{"n":1}""", """{"n":"flaky"}""", """{"n":2}"""], bench.Recorder.Handled); // the third try of flaky succeeded
        Assert.Equal(3, bench.Recorder.AttemptsOf("""{"n":"poison"}"""));
        Assert.Equal(3, bench.Recorder.AttemptsOf("not json"));
        Assert.Equal(1, bench.Recorder.AttemptsOf("""{"n":2}"""));

        IReadOnlyList<JsonElement> dead = await bench.DeadLettersAsync();
        Assert.Equal(2, dead.Count);
        IReadOnlyList<LogEvent> stored = await ReadEventsAsync(bench.Url);
        Assert.Equal(stored[2].Position.ToString(), dead[0].GetProperty("position").GetString());
        Assert.Equal("billing", dead[0].GetProperty("consumer").GetString());
        Assert.Equal("System.FormatException: poison attempt 3", dead[0].GetProperty("error").GetString());
        Assert.Equal(3, dead[0].GetProperty("attempts").GetInt32());
        Assert.Equal("poison", dead[0].GetProperty("event").GetProperty("n").GetString()); // the event itself, as JSON
        Assert.True(DateTimeOffset.Parse(dead[0].GetProperty("failed_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Contains("poison attempt 3", dead[0].GetProperty("exception").GetString());
        Assert.Equal(stored[3].Position.ToString(), dead[1].GetProperty("position").GetString());
        Assert.Equal("not json", dead[1].GetProperty("event").GetString()); // not JSON: kept as a string

        Assert.Equal(5, stored.Count); // the main log's readers never see the dead letters nested under its prefix
    }

    [Fact]
    public async Task A_dead_letter_the_store_refuses_keeps_the_consumer_on_its_event_until_it_is_stored_once()
    {
        var faulty = new FaultInjectingObjectStore(new InMemoryObjectStore());
        string scheme = RegisterStore(faulty, "faulty");
        faulty.FailWhen((call, key) => call == StoreCall.Put && key.Contains("/_dead/", StringComparison.Ordinal) ? Fault.FailBefore : null);
        var recorder = new Recorder { Behaviour = (text, _, _) => text == "poison" ? throw new FormatException("poison") : Task.CompletedTask };
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Services.AddObjectLog("orders", $"{scheme}://orders", o => o.FlushInterval = Timeout.InfiniteTimeSpan);
        builder.Services.AddSingleton(recorder);
        builder.Services.AddObjectLogConsumer<RecordingHandler>("orders", "billing", o =>
        {
            o.MaxAttempts = 1;
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(20);
        });
        builder.Services.AddHealthChecks().AddObjectLogConsumer("orders", "billing");
        using IHost host = builder.Build();
        AppendLog orders = host.Services.GetRequiredKeyedService<AppendLog>("orders");
        await orders.AppendAsync(E("first"));
        await orders.AppendAsync(E("poison"));
        await orders.AppendAsync(E("after"));
        await orders.FlushAsync();
        await host.StartAsync();

        HealthReportEntry entry = await WaitForStatusAsync(host, HealthStatus.Unhealthy); // restarted again and again
        Assert.IsType<InjectedFaultException>(entry.Exception);
        Assert.Equal(["first"], recorder.Handled); // it does not move past the event whose dead letter is not stored
        Assert.True(recorder.AttemptsOf("poison") >= ObjectLogConsumerHealthCheck.FailuresInARow);

        faulty.FailWhen(null);
        await recorder.WaitForAsync(h => h.Contains("after"));
        await host.StopAsync();
        using ObjectStoreLocation location = ObjectStoreUrl.Open($"{scheme}://orders");
        await using var dead = new AppendLog(location.Store, "orders/_dead/billing");
        Assert.Equal("poison", JsonDocument.Parse(Assert.Single(await dead.ReadAllAsync())).RootElement.GetProperty("event").GetString());
    }

    private static async Task<IReadOnlyList<LogEvent>> ReadEventsAsync(string url)
    {
        using ObjectStoreLocation location = ObjectStoreUrl.Open(url);
        await using var log = new AppendLog(location.Store, location.Prefix);
        return await ToListAsync(log.ReadEventsAsync());
    }

    [Fact]
    public void A_dead_letter_keeps_bytes_that_are_not_utf8_as_base64()
    {
        var logEvent = new LogEvent(LogPosition.Before(DateTimeOffset.UnixEpoch.AddDays(1)), [0xff, 0x00, 0x41]);
        using JsonDocument line = JsonDocument.Parse(DeadLetterLog.Line("billing", logEvent, new InvalidOperationException("no"), 5, DateTimeOffset.UnixEpoch));
        Assert.Equal([0xff, 0x00, 0x41], line.RootElement.GetProperty("event_base64").GetBytesFromBase64());
        Assert.False(line.RootElement.TryGetProperty("event", out _));
        Assert.Equal("1970-01-01T00:00:00.0000000Z", line.RootElement.GetProperty("failed_at").GetString());
    }

    [Fact]
    public async Task Stopping_the_host_commits_what_was_handled_and_the_next_host_continues_after_it()
    {
        var bench = new Bench();
        await bench.AppendAsync(Numbered(0, 10));
        using (IHost first = bench.Host(o => { o.Consumer.CheckpointEveryEvents = 0; o.Consumer.CheckpointInterval = Timeout.InfiniteTimeSpan; }))
        {
            await first.StartAsync();
            await bench.Recorder.WaitForAsync(h => h.Count >= 10);
            await first.StopAsync(); // no policy commit ran: only the stop commits
        }

        await bench.AppendAsync(Numbered(10, 5));
        using (IHost second = bench.Host())
        {
            await second.StartAsync();
            await bench.Recorder.WaitForAsync(h => h.Count >= 15);
            await second.StopAsync();
        }

        Assert.Equal(Numbered(0, 15), bench.Recorder.Handled); // none delivered twice
    }

    [Fact]
    public async Task An_event_whose_handler_is_cancelled_by_the_stop_is_not_counted_and_the_next_host_gets_it_again()
    {
        var bench = new Bench();
        string[] events = Numbered(0, 5);
        await bench.AppendAsync(events);
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bench.Recorder.Behaviour = async (text, _, cancellationToken) =>
        {
            if (text == events[2])
            {
                blocked.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken); // a handler that honours the stop
            }
        };
        using (IHost first = bench.Host())
        {
            await first.StartAsync();
            await blocked.Task.WaitAsync(Patience);
            await first.StopAsync();
        }

        Assert.Equal(events[..2], bench.Recorder.Handled);
        bench.Recorder.Behaviour = (_, _, _) => Task.CompletedTask;
        using (IHost second = bench.Host())
        {
            await second.StartAsync();
            await bench.Recorder.WaitForAsync(h => h.Count >= 5);
            await second.StopAsync();
        }

        Assert.Equal(events, bench.Recorder.Handled); // the interrupted event again, then the rest; nothing before it
        Assert.Equal(2, bench.Recorder.AttemptsOf(events[2]));
        Assert.Empty(await bench.DeadLettersAsync()); // an attempt cut short by the stop is no failure
    }

    [Fact]
    public async Task A_fenced_consumer_starts_again_as_standby_and_takes_its_name_back()
    {
        var bench = new Bench();
        await bench.AppendAsync(Numbered(0, 3));
        using IHost host = bench.Host(o => o.Consumer.LeaseDuration = TimeSpan.FromSeconds(1), h => h.AddObjectLogConsumer("orders", "billing"));
        await host.StartAsync();
        await bench.Recorder.WaitForAsync(h => h.Count >= 3);
        await WaitForStatusAsync(host, HealthStatus.Healthy);

        using (ObjectStoreLocation location = ObjectStoreUrl.Open(bench.Url))
        {
            // Another writer of the state object (as a takeover is): the owner's next renewal fails, so it is fenced.
            const string Key = "orders/_consumers/billing.json";
            VersionedObject state = await location.Store.GetVersionedAsync(Key);
            await location.Store.PutAsync(Key, new MemoryStream(state.Content.ToArray()), PutMode.Overwrite);
        }

        // The new instance waits for the lease it saw to run out.
        HealthReportEntry entry = await WaitForStatusAsync(host, HealthStatus.Degraded, e => (int)e.Data["failuresInARow"] == 1 && e.Description!.Contains("standby", StringComparison.Ordinal));
        Assert.Equal(true, entry.Data["running"]);
        await bench.AppendAsync(Numbered(3, 2));
        await bench.Recorder.WaitForAsync(h => h.Count >= 8);
        entry = await WaitForStatusAsync(host, HealthStatus.Healthy);
        Assert.Equal(0, entry.Data["failuresInARow"]);
        await host.StopAsync();

        // Nothing was committed before the fence, so the new owner delivers from the start again: at least once.
        Assert.Equal([.. Numbered(0, 3), .. Numbered(0, 5)], bench.Recorder.Handled);
    }

    [Fact]
    public async Task The_health_check_is_healthy_while_it_owns_and_keeps_up_and_degraded_while_standby()
    {
        var bench = new Bench();
        await bench.AppendAsync(Numbered(0, 3));
        using IHost owner = bench.Host(health: h => h.AddObjectLogConsumer("orders", "billing", tags: ["ready"]));
        HealthCheckService ownerHealth = owner.Services.GetRequiredService<HealthCheckService>();
        HealthReportEntry entry = (await ownerHealth.CheckHealthAsync()).Entries["objectlog-orders-billing"];
        Assert.Equal(HealthStatus.Degraded, entry.Status); // not started
        Assert.Equal(false, entry.Data["running"]);

        await owner.StartAsync();
        await bench.Recorder.WaitForAsync(h => h.Count >= 3);
        entry = (await ownerHealth.CheckHealthAsync()).Entries["objectlog-orders-billing"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Contains("ready", entry.Tags);
        Assert.Equal(true, entry.Data["owner"]);
        Assert.Equal(3L, entry.Data["handled"]);
        Assert.Equal("orders/_dead/billing", entry.Data["deadLetterPrefix"]);

        using IHost standby = bench.Host(health: h => h.AddObjectLogConsumer("orders", "billing"));
        await standby.StartAsync();
        entry = await WaitForStatusAsync(standby, HealthStatus.Degraded, e => (bool)e.Data["running"]);
        Assert.Contains("standby", entry.Description);
        Assert.Equal(false, entry.Data["owner"]);
        Assert.Equal(HealthStatus.Healthy, (await WaitForStatusAsync(owner, HealthStatus.Healthy)).Status); // the owner keeps it

        await standby.StopAsync();
        await owner.StopAsync();
    }

    [Fact]
    public async Task The_health_check_is_unhealthy_while_every_event_goes_to_the_dead_letter_log()
    {
        var bench = new Bench();
        bench.Recorder.Behaviour = (_, _, _) => throw new InvalidOperationException("the database is gone");
        await bench.AppendAsync(Numbered(0, ObjectLogConsumerHealthCheck.DeadLetterStreak));
        using IHost host = bench.Host(o => o.MaxAttempts = 1, h => h.AddObjectLogConsumer("orders", "billing"));
        await host.StartAsync();
        HealthReportEntry entry = await WaitForStatusAsync(host, HealthStatus.Unhealthy);
        Assert.Equal((long)ObjectLogConsumerHealthCheck.DeadLetterStreak, entry.Data["deadLettered"]);
        Assert.Contains("dead-letter log orders/_dead/billing", entry.Description);
        await host.StopAsync();
        Assert.Equal(ObjectLogConsumerHealthCheck.DeadLetterStreak, (await bench.DeadLettersAsync()).Count);
    }

    [Fact]
    public async Task The_health_check_is_unhealthy_when_the_consumer_fails_again_and_again()
    {
        var bench = new Bench();
        using (ObjectStoreLocation location = ObjectStoreUrl.Open(bench.Url))
        {
            await location.Store.PutAsync("orders/_consumers/billing.json", new MemoryStream(E("{damaged")), PutMode.Overwrite); // a checkpoint damaged by hand
        }

        using IHost host = bench.Host(o => o.MaxRetryDelay = TimeSpan.FromMilliseconds(10), h => h.AddObjectLogConsumer("orders", "billing"));
        await host.StartAsync();
        HealthReportEntry entry = await WaitForStatusAsync(host, HealthStatus.Unhealthy);
        Assert.IsType<CorruptObjectException>(entry.Exception);
        Assert.Contains("orders/_consumers/billing.json", entry.Description);
        Assert.True((int)entry.Data["failuresInARow"] >= ObjectLogConsumerHealthCheck.FailuresInARow);
        await host.StopAsync();
    }

    [Fact]
    public async Task The_health_check_is_degraded_while_the_consumer_lags_more_than_allowed()
    {
        var bench = new Bench();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bench.Recorder.Behaviour = (text, _, _) => text == """{"n":1}""" ? release.Task : Task.CompletedTask;
        await bench.AppendAsync("""{"n":0}""");
        await Task.Delay(50); // the next batch is named later
        await bench.AppendAsync("""{"n":1}""");
        using IHost host = bench.Host(health: h => h.AddObjectLogConsumer("orders", "billing", maxLag: TimeSpan.FromMilliseconds(5)));
        await host.StartAsync();

        HealthReportEntry entry = await WaitForStatusAsync(host, HealthStatus.Degraded, e => e.Description?.Contains("behind", StringComparison.Ordinal) == true);
        Assert.True((double)entry.Data["lagSeconds"] > 0.005, $"lag {entry.Data["lagSeconds"]}"); // the second batch's time minus the first's, over the limit
        release.SetResult();
        await bench.Recorder.WaitForAsync(h => h.Count >= 2);
        await WaitForStatusAsync(host, HealthStatus.Healthy); // caught up
        await host.StopAsync();
    }

    private static async Task<HealthReportEntry> WaitForStatusAsync(IHost host, HealthStatus status, Func<HealthReportEntry, bool>? also = null)
    {
        HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            HealthReportEntry entry = (await health.CheckHealthAsync(timeout.Token)).Entries["objectlog-orders-billing"];
            if (entry.Status == status && (also is null || also(entry)))
            {
                return entry;
            }

            await Task.Delay(10, timeout.Token);
        }
    }

    [Fact]
    public async Task Registration_refuses_a_bad_consumer_name_a_second_registration_and_an_unregistered_log()
    {
        var services = new ServiceCollection();
        Assert.Contains("not a consumer name", Assert.Throws<ArgumentException>(() => services.AddObjectLogConsumer<RecordingHandler>("orders", "bad/name")).Message);
        services.AddObjectLogConsumer<RecordingHandler>("orders", "billing");
        Assert.Contains("already registered", Assert.Throws<ArgumentException>(() => services.AddObjectLogConsumer<RecordingHandler>("orders", "billing")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => services.AddHealthChecks().AddObjectLogConsumer("orders", "billing", maxLag: TimeSpan.Zero));
        Assert.Throws<ArgumentException>(() => new ObjectLogConsumerOptions().DeadLetterPrefix = "../escape");

        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(new Recorder());
        builder.Services.AddObjectLogConsumer<RecordingHandler>("nowhere", "billing");
        builder.Services.AddHealthChecks().AddObjectLogConsumer("nowhere", "other");
        using IHost host = builder.Build();
        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("AddObjectLog(\"nowhere\"", e.Message);
        HealthReportEntry entry = (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["objectlog-nowhere-other"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("AddObjectLogConsumer", entry.Exception?.Message);
    }

    [Fact]
    public void The_retry_delay_doubles_up_to_its_limit()
    {
        var options = new ObjectLogConsumerOptions();
        Assert.Equal([100, 200, 400, 800, 1600, 3200, 5000, 5000], Enumerable.Range(1, 8).Select(n => ObjectLogConsumerService.Backoff(options, n).TotalMilliseconds));
        Assert.Equal(TimeSpan.FromSeconds(5), ObjectLogConsumerService.Backoff(options, int.MaxValue));
    }
}
