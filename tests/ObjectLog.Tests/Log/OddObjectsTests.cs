using System.Text;
using ObjectLog.Internal;
using ObjectLog.Storage;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>
/// A log whose prefix also holds objects that look like ObjectLog's but are not (non-ASCII digits, times no
/// <see cref="DateTimeOffset"/> can hold): every read returns exactly the log's events, a
/// compaction leaves those objects alone, and a manifest that does not parse fails a read naming its key.
/// </summary>
public sealed class OddObjectsTests
{
    private const string Prefix = "log";

    /// <summary>Names a regular expression with <c>\d</c>, or a parser without range checks, would take for the log's.</summary>
    public static readonly string[] OddNames =
    [
        $"batch_{NameParsingTests.ArabicIndic}.jsonl",
        $"batch_{NameParsingTests.Fullwidth}-00000000000000aa-000000000001.jsonl",
        "batch_9999999999999999999.jsonl",
        "batch_2600000000000000000.jsonl",
        $"batch_{NameParsingTests.PastLatestMicroseconds}-00000000000000aa-000000000001.c0000abcd.jsonl",
        "batch_0001764064800000000~9999999999999999999~0000000000000abc.jsonl",
        "batch_0001764064800000000~9999999999999999999~0000000000000abc.manifest.json",
        "batch_9999999999999999999~0001764064800000000~0000000000000abc.end.json",
        "trim_9999999999999999999-0000000000000001.json",
        $"trim_{NameParsingTests.ArabicIndic}-0000000000000001.json",
    ];

    [Fact]
    public async Task Odd_objects_are_neither_read_nor_touched_and_a_null_manifest_fails_the_read_naming_its_key()
    {
        var store = new InMemoryObjectStore();
        var appended = new List<string>();
        await using (var writer = new AppendLog(store, Prefix, Quiet(threshold: 2)))
        {
            for (int i = 0; i < 6; i++)
            {
                appended.Add($"{{\"i\":{i}}}");
                await writer.AppendAsync(E(appended[^1]));
            }
        }

        foreach (string name in OddNames)
        {
            await store.PutAsync($"{Prefix}/{name}", E("{\"odd\":true}\n"));
        }

        await using (var log = new AppendLog(store, Prefix, Quiet()))
        {
            await AssertReadsExactlyAsync(log, appended);
            Assert.Equal(3, await log.CountObjectsAsync());
            VerifyReport report = await log.VerifyAsync();
            Assert.True(report.IsSound, string.Join("; ", report.Problems.Select(p => p.Message)));
            Assert.Equal(OddNames.Length, report.ForeignObjects);

            CompactionStats stats = await log.CompactAsync();
            Assert.Equal(3, stats.MergedObjects);
            await AssertReadsExactlyAsync(log, appended);
        }

        foreach (string name in OddNames)
        {
            Assert.Equal("{\"odd\":true}\n", Encoding.UTF8.GetString(await store.GetBytesAsync($"{Prefix}/{name}")));
        }

        // Replace the merged object's manifest with a format 1 manifest whose batches are null.
        List<ObjectMeta> all = await store.ListSortedAsync(Prefix + "/");
        string manifestKey = all.Select(o => o.Key).Single(k => LogObjectName.TryParse(k[(Prefix.Length + 1)..], out LogObjectName n) && n.Kind == LogObjectKind.Manifest);
        LogObjectName.TryParse(manifestKey[(Prefix.Length + 1)..], out LogObjectName manifestName);
        await store.PutAsync(manifestKey, E($$"""{"format":"objectlog.manifest/1","data":"{{manifestName.DataName}}","batches":null,"supersedes":[]}"""));

        await using (var reader = new AppendLog(store, Prefix, Quiet()))
        {
            Exception? thrown = await Record.ExceptionAsync(() => ToListAsync(reader.ReadEventsAsync(after: null)));
            CorruptObjectException e = Assert.IsType<CorruptObjectException>(thrown);
            Assert.Equal(manifestKey, e.Key);
            Assert.Contains("batches", e.Message, StringComparison.Ordinal);

            VerifyReport report = await reader.VerifyAsync();
            Assert.Contains(report.Problems, p => p.Message.Contains(manifestKey, StringComparison.Ordinal) && p.Message.Contains("'batches'", StringComparison.Ordinal));
        }
    }

    /// <summary>A full read, a read of positions, a read from a checkpoint, a read by time and a tail all return exactly <paramref name="appended"/>.</summary>
    private static async Task AssertReadsExactlyAsync(AppendLog log, List<string> appended)
    {
        Assert.Equal(appended, Texts(await log.ReadAllAsync()));
        List<LogEvent> events = await ToListAsync(log.ReadEventsAsync(after: null));
        Assert.Equal(appended, Texts(events.Select(e => e.Data)));
        Assert.All(events, e => Assert.Equal(e.Position, LogPosition.Parse(e.Position.ToString())));
        Assert.Equal(appended.Skip(2), Texts((await ToListAsync(log.ReadEventsAsync(events[1].Position))).Select(e => e.Data)));
        Assert.Equal(appended, Texts((await ToListAsync(log.ReadEventsAsync(DateTimeOffset.UnixEpoch))).Select(e => e.Data)));
        DateTimeOffset middle = events[2].Position.BatchTime;
        Assert.Equal(Texts(events.Where(e => e.Position.BatchTime >= middle).Select(e => e.Data)), Texts((await ToListAsync(log.ReadEventsAsync(middle))).Select(e => e.Data)));

        var tailed = new List<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await foreach (LogEvent e in log.TailAsync(events[0].Position, stop.Token))
            {
                tailed.Add(Encoding.UTF8.GetString(e.Data));
                if (tailed.Count == appended.Count - 1)
                {
                    await stop.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // stopped once it returned every event after the first
        }

        Assert.Equal(appended.Skip(1), tailed);
    }
}
