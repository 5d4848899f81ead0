using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ObjectLog.Storage;
using ObjectLog.TestServers;

namespace ObjectLog.Benchmarks.Ui;

/// <summary>
/// The log <c>objlog ui</c> is measured on, in a folder store under the temp folder: <see cref="Events"/> shop
/// entries (<see cref="ShopLogLines"/>) in batches of <see cref="EventsPerBatch"/>, one batch every
/// 24 hours ÷ batches of batch time up to <see cref="End"/>, compacted once half an hour before the end, as a user's
/// log is, so the whole log but its last half hour lies in one merged object.
/// </summary>
/// <remarks>
/// Seeded in-process with a fake clock stepping through the day: as the writer's clock (batch names) and as the
/// store's (the bound names are held to), so the day passes in seconds. The folder is kept and reused by later runs
/// while <see cref="Version"/> and the size stay the same; a run that stopped part-way leaves no
/// <c>seeded.json</c>, and the next one seeds again.
/// </remarks>
internal sealed record SeededLog(string StoreFolder, int Events, int Objects, long StoredBytes, DateTimeOffset End, TimeSpan? SeededIn)
{
    /// <summary>The log's name (its prefix in the store).</summary>
    public const string Log = "app";

    public const int EventsPerBatch = 1000;

    /// <summary>Change it whenever the seed changes (entries, batching, compaction), so a stale cached log is not reused.</summary>
    private const string Version = "ui-seed-2";

    private static readonly TimeSpan Day = TimeSpan.FromDays(1);
    private static readonly TimeSpan LeftUncompacted = TimeSpan.FromMinutes(30);

    /// <summary>The cached log of <paramref name="events"/> entries, seeded first if there is none (then <see cref="SeededIn"/> says how long it took).</summary>
    public static async Task<SeededLog> OpenOrSeedAsync(int events)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"objectlog-bench-{Version}-{events}");
        string marker = Path.Combine(folder, "seeded.json");
        if (File.Exists(marker))
        {
            SeededLog cached = JsonSerializer.Deserialize<SeededLog>(await File.ReadAllBytesAsync(marker)) ?? throw new InvalidOperationException($"{marker} is empty");
            return cached with { SeededIn = null };
        }

        ServerProcesses.DeleteDirectory(folder);
        Directory.CreateDirectory(folder);
        var storeFolder = Path.Combine(folder, "store");
        long started = Stopwatch.GetTimestamp();
        SeededLog seeded = await SeedAsync(storeFolder, events);
        seeded = seeded with { SeededIn = Stopwatch.GetElapsedTime(started) };
        await File.WriteAllBytesAsync(marker, JsonSerializer.SerializeToUtf8Bytes(seeded));
        return seeded;
    }

    private static async Task<SeededLog> SeedAsync(string storeFolder, int events)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(events % EventsPerBatch, 0, nameof(events));
        var end = new DateTimeOffset(DateTimeOffset.UtcNow.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var clock = new FakeTimeProvider(end - Day);
        var options = new AppendLogOptions
        {
            TimeProvider = clock,
            StoreTimeProvider = clock,
            FlushThreshold = EventsPerBatch,
            FlushThresholdBytes = 64 * 1024 * 1024,
            FlushInterval = Timeout.InfiniteTimeSpan,
        };
        var lines = new ShopLogLines(seed: 42);
        TimeSpan perEvent = Day / events;
        int batches = events / EventsPerBatch;
        int compactBefore = (int)(batches * (1 - (LeftUncompacted / Day))) * EventsPerBatch; // a batch boundary
        var store = new FileSystemObjectStore(storeFolder);
        await using var log = new AppendLog(store, Log, options);
        await log.GetStoreTimeAsync(); // the clock read before the first batch is named, so no name is taken again after
        for (int i = 0; i < events; i++)
        {
            if (i == compactBefore)
            {
                await log.FlushAsync();
                await log.CompactAsync();
            }

            await log.AppendAsync(lines.Next(clock.GetUtcNow()));
            clock.Advance(perEvent);
        }

        await log.FlushAsync();
        IReadOnlyList<StoredObject> stored = await log.ListStoredObjectsAsync();
        return new SeededLog(storeFolder, events, stored.Count, stored.Sum(o => o.Meta.Size), end, SeededIn: null);
    }
}
