using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using ObjectLog.Tests.Log;
using Serilog;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Sinks.ObjectLog;
using static ObjectLog.Tests.Extensions.ExtensionFixtures;
using SerilogLog = Serilog.Log;

namespace ObjectLog.Tests.Extensions;

/// <summary>
/// The Serilog sink: CLEF out, never blocking, nothing accepted lost at dispose, and many writers on one prefix
/// without the overwrites of sinks that name objects from a per-process counter. Serial (one class): SelfLog and
/// <see cref="SerilogLog.Logger"/> are process-wide.
/// </summary>
public sealed class SerilogSinkTests
{
    private static async Task<List<JsonElement>> ReadClefAsync(string url)
        => [.. (await ReadStoredAsync(url)).Select(e => JsonDocument.Parse(e).RootElement)];

    /// <summary>A URL scheme of its own for a store whose PUTs each take <paramref name="latency"/>.</summary>
    private static string RegisterSlowStore(TimeSpan latency)
    {
        var store = new FaultInjectingObjectStore(new InMemoryObjectStore()) { Latency = latency };
        string scheme = "slow" + Guid.NewGuid().ToString("N")[..8];
        ObjectStoreUrl.Register(scheme, (rest, _) => new ObjectStoreLocation(store, rest, "slow store"));
        return scheme;
    }

    [Fact]
    public async Task Events_read_back_as_clef_with_timestamp_template_level_exception_and_properties()
    {
        string url = NewMemoryUrl("app");
        var placedAt = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(2));
        using (Logger logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.ObjectLog(url, configure: o => o.FlushInterval = TimeSpan.FromHours(1))
            .CreateLogger())
        {
            logger.ForContext("@odd", "at-sign").Information("Order {OrderId} placed by {Customer} for {Total}", 42, "ada", 9.99m);
            logger.Warning(new InvalidOperationException("outer", new FormatException("inner\nsecond line")), "Failed {OrderId}", 43);
            logger.Debug("Quiet {Flag}", true);
            logger.Write(new Serilog.Events.LogEvent(placedAt, Serilog.Events.LogEventLevel.Error, null, new Serilog.Parsing.MessageTemplateParser().Parse("At a fixed time"), []));
        } // disposing the logger stores what the sink buffered

        List<JsonElement> events = await ReadClefAsync(url);
        Assert.Equal(4, events.Count); // an exception's multi-line text stays on one line

        JsonElement placed = events[0];
        string t = placed.GetProperty("@t").GetString()!;
        Assert.EndsWith("Z", t, StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _));
        Assert.Equal("Order {OrderId} placed by {Customer} for {Total}", placed.GetProperty("@mt").GetString());
        Assert.False(placed.TryGetProperty("@l", out _)); // Information is CLEF's default level
        Assert.False(placed.TryGetProperty("@x", out _));
        Assert.Equal(42, placed.GetProperty("OrderId").GetInt32());
        Assert.Equal("ada", placed.GetProperty("Customer").GetString());
        Assert.Equal(9.99m, placed.GetProperty("Total").GetDecimal());
        Assert.Equal("at-sign", placed.GetProperty("@@odd").GetString()); // CLEF escapes a leading @ by doubling it

        JsonElement failed = events[1];
        Assert.Equal("Warning", failed.GetProperty("@l").GetString());
        Assert.Equal(43, failed.GetProperty("OrderId").GetInt32());
        string exception = failed.GetProperty("@x").GetString()!;
        Assert.StartsWith("System.InvalidOperationException: outer", exception, StringComparison.Ordinal);
        Assert.Contains("inner\nsecond line", exception, StringComparison.Ordinal);

        Assert.Equal("Debug", events[2].GetProperty("@l").GetString());
        Assert.True(events[2].GetProperty("Flag").GetBoolean());

        Assert.Equal("Error", events[3].GetProperty("@l").GetString());
        Assert.Equal(placedAt, DateTimeOffset.Parse(events[3].GetProperty("@t").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal("2025-03-04T03:06:07.0000000Z", events[3].GetProperty("@t").GetString()); // UTC, ISO 8601
    }

    [Fact]
    public async Task The_minimum_level_restricts_what_the_sink_writes()
    {
        string url = NewMemoryUrl("app");
        using (Logger logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.ObjectLog(url, Serilog.Events.LogEventLevel.Warning)
            .CreateLogger())
        {
            logger.Information("below");
            logger.Warning("kept");
        }

        Assert.Equal("kept", Assert.Single(await ReadClefAsync(url)).GetProperty("@mt").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Closing_the_logger_mid_burst_stores_every_event_it_accepted(bool async)
    {
        string url = $"{RegisterSlowStore(TimeSpan.FromMilliseconds(5))}://burst";
        using var metrics = new MetricTotals("burst/");
        const int Writers = 4;
        const int PerWriter = 50_000; // bounded, so the buffer (64 MiB) never fills: every event emitted before closing is accepted; long enough that closing lands mid-burst
        var sink = new EmitCounter(new ObjectLogSink(url, new() { FlushThreshold = 16, FlushInterval = TimeSpan.FromHours(1) }), Writers);
        SerilogLog.Logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();

        using var stop = new CancellationTokenSource();
        Task[] writers = [.. Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (int i = 0; i < PerWriter && !stop.IsCancellationRequested; i++)
            {
                SerilogLog.Information("Writer {Writer} event {Seq}", w, i);
            }
        }))];

        SpinWait.SpinUntil(() => Enumerable.Range(0, Writers).All(w => sink.Returned(w) >= 200), TimeSpan.FromSeconds(30));
        if (async)
        {
            await SerilogLog.CloseAndFlushAsync();
        }
        else
        {
            SerilogLog.CloseAndFlush();
        }

        await stop.CancelAsync();
        await Task.WhenAll(writers);

        Assert.Equal(0, metrics["objectlog.logger.dropped"]);
        IReadOnlyList<byte[]> stored = await ReadStoredAsync(url);
        ILookup<int, int> seqs = stored.Select(e => JsonDocument.Parse(e).RootElement)
            .ToLookup(e => e.GetProperty("Writer").GetInt32(), e => e.GetProperty("Seq").GetInt32());
        Assert.True(sink.AtDispose.Any(n => n < PerWriter), "the writers had finished before the logger closed: not mid-burst");
        for (int w = 0; w < Writers; w++)
        {
            int[] mine = [.. seqs[w]];
            Assert.True(mine.Length >= sink.AtDispose[w], $"writer {w}: {sink.AtDispose[w]} events emitted before the sink was disposed, {mine.Length} stored");
            Assert.Equal(Enumerable.Range(0, mine.Length), mine); // each accepted event once, in order, no gaps
        }
    }

    [Theory]
    [InlineData(LogCompression.None)]
    [InlineData(LogCompression.Gzip)]
    [InlineData(LogCompression.Zstd)]
    public async Task The_compression_configured_is_the_one_the_sink_stores_with(LogCompression compression)
    {
        string url = NewMemoryUrl("compressed");
        using (Logger logger = new LoggerConfiguration()
            .WriteTo.ObjectLog(url, configure: o => o.Compression = compression)
            .CreateLogger())
        {
            logger.Information("Order {OrderId} placed", 42);
        }

        Assert.Equal(42, Assert.Single(await ReadClefAsync(url)).GetProperty("OrderId").GetInt32());
        Assert.Equal(compression, Assert.Single(await StoredEncodingsAsync(url)));
    }

    [Fact]
    public async Task A_store_that_never_answers_drops_without_blocking_or_throwing_counts_and_reports_once()
    {
        string scheme = RegisterHeldStore(out FaultInjectingObjectStore held);
        using var metrics = new MetricTotals("serilog-drops/");
        var selfLog = new ConcurrentQueue<string>();
        SelfLog.Enable(selfLog.Enqueue);
        try
        {
            Logger logger = new LoggerConfiguration()
                .WriteTo.ObjectLog($"{scheme}://serilog-drops", configure: o =>
                {
                    o.FlushThreshold = 1;
                    o.MaxBufferedBytes = 4096;
                    o.DisposeTimeout = TimeSpan.FromMilliseconds(500);
                })
                .CreateLogger();

            var clock = Stopwatch.StartNew();
            for (int i = 0; i < 1000; i++)
            {
                logger.Information("Event {Number} while the store does not answer", i);
            }

            clock.Stop();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"1000 events took {clock.Elapsed}");
            long dropped = (long)metrics["objectlog.logger.dropped"];
            Assert.True(dropped > 900, $"dropped {dropped}");
            string report = Assert.Single(selfLog); // nothing thrown: Serilog would report a throwing sink here too
            Assert.Contains("objectlog.logger.dropped", report, StringComparison.Ordinal);

            clock.Restart();
            await logger.DisposeAsync(); // the store still does not answer: disposing waits DisposeTimeout, not forever
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"dispose took {clock.Elapsed}");
            Assert.Contains(selfLog, line => line.Contains("not stored within", StringComparison.Ordinal));

            held.ReleasePuts(); // the close goes on in the background once the store answers
            await using var log = new AppendLog(held.Inner, "serilog-drops");
            int stored = 0;
            for (var wait = Stopwatch.StartNew(); wait.Elapsed < TimeSpan.FromSeconds(30) && stored + dropped != 1000; await Task.Delay(50))
            {
                stored = (await log.ReadAllAsync()).Count;
            }

            Assert.Equal(1000, stored + dropped);
        }
        finally
        {
            SelfLog.Disable();
        }
    }

    [Fact]
    public async Task Two_loggers_on_one_prefix_at_once_overwrite_nothing_and_store_what_they_accepted_before_dispose()
    {
        // What S3 and Azure sinks that name objects from a per-process counter get wrong: two processes both write
        // "…-000001", one overwrites the other, and events buffered at shutdown are dropped. Here each logger has its
        // own AppendLog (as a process would), both write small batches to one folder at once, and the last few
        // events of each are still buffered (below the batch size, long before the flush timer) when it is disposed.
        using var folder = new TempDirectory();
        string url = $"file://{folder.Path}/shared";
        const int PerWriter = 500; // 62 batches of 8, and 4 events left in the buffer at dispose
        Logger NewLogger() => new LoggerConfiguration()
            .WriteTo.ObjectLog(url, configure: o =>
            {
                o.FlushThreshold = 8;
                o.FlushInterval = TimeSpan.FromHours(1);
            })
            .CreateLogger();

        using var start = new Barrier(2);
        await Task.WhenAll(new[] { "a", "b" }.Select(name => Task.Run(async () =>
        {
            await using Logger logger = NewLogger();
            start.SignalAndWait();
            for (int i = 0; i < PerWriter; i++)
            {
                logger.Information("Writer {Writer} event {Seq}", name, i);
            }
        })));

        List<JsonElement> events = await ReadClefAsync(url);
        Assert.Equal(2 * PerWriter, events.Count);
        foreach (string name in new[] { "a", "b" })
        {
            int[] seqs = [.. events.Where(e => e.GetProperty("Writer").GetString() == name).Select(e => e.GetProperty("Seq").GetInt32())];
            Assert.Equal(Enumerable.Range(0, PerWriter), seqs); // all of them, once each, in the order written
        }
    }

    /// <summary>
    /// Counts, per writer, the events whose <c>Emit</c> returned, and takes that count when disposal begins: each of
    /// those was accepted (nothing is dropped here), so each must be stored.
    /// </summary>
    private sealed class EmitCounter(ObjectLogSink inner, int writers) : ILogEventSink, IDisposable, IAsyncDisposable
    {
        private readonly long[] _returned = new long[writers];

        public long[] AtDispose { get; private set; } = [];

        public long Returned(int writer) => Volatile.Read(ref _returned[writer]);

        public void Emit(Serilog.Events.LogEvent logEvent)
        {
            inner.Emit(logEvent);
            int writer = (int)((Serilog.Events.ScalarValue)logEvent.Properties["Writer"]).Value!;
            Interlocked.Increment(ref _returned[writer]);
        }

        public void Dispose()
        {
            AtDispose = [.. Enumerable.Range(0, _returned.Length).Select(Returned)];
            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            AtDispose = [.. Enumerable.Range(0, _returned.Length).Select(Returned)];
            return inner.DisposeAsync();
        }
    }
}
