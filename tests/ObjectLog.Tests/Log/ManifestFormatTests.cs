using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ObjectLog.Internal;
using ObjectLog.Storage;
using Xunit.Abstractions;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>Manifests: format 3 is small even at one event a batch and round-trips; format 1 and 2 manifests still read and compact.</summary>
public sealed class ManifestFormatTests(ITestOutputHelper output)
{
    private readonly InMemoryObjectStore _store = new();

    private async Task<List<string>> WriteBatchesAsync(string prefix, int batches, int eventsPerBatch, int eventBytes)
    {
        var appended = new List<string>();
        await using var log = new AppendLog(_store, prefix, Plain(threshold: eventsPerBatch));
        for (int i = 0; i < batches * eventsPerBatch; i++)
        {
            string e = $"{{\"i\":{i},\"pad\":\"";
            e += new string('x', eventBytes - e.Length - 2) + "\"}";
            appended.Add(e);
            await log.AppendAsync(E(e));
        }

        return appended;
    }

    private async Task<(ObjectMeta Data, ObjectMeta Manifest)> MergedObjectAsync(string prefix)
    {
        List<ObjectMeta> all = await _store.ListSortedAsync(prefix + "/");
        return (all.Single(o => o.Key.Contains('~', StringComparison.Ordinal) && o.Key.EndsWith(".jsonl", StringComparison.Ordinal)),
                all.Single(o => o.Key.EndsWith(".manifest.json", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_manifest_is_under_five_percent_of_its_data_for_batches_of_32_events_of_100_bytes()
    {
        await WriteBatchesAsync("small", batches: 3126, eventsPerBatch: 32, eventBytes: 100);
        await using (var log = new AppendLog(_store, "small", Plain()))
        {
            await log.CompactAsync();
        }

        (ObjectMeta data, ObjectMeta manifest) = await MergedObjectAsync("small");
        double share = (double)manifest.Size / data.Size;
        output.WriteLine($"3,126 batches of 32 events of 100 bytes: data {data.Size} bytes, manifest {manifest.Size} bytes, {share:P2}");
        Assert.True(share < 0.05, $"the manifest is {share:P1} of its data");
    }

    [Fact]
    public void Format_2_round_trips_batches_and_what_it_supersedes()
    {
        string B(int n) => $"batch_{1_700_000_000_000_000L + n:D19}-00000000000000aa-{n:D12}.jsonl";
        var batches = Enumerable.Range(1, 6).Select(n => new ManifestBatch { Name = B(n), Lines = n, Length = 10 * n }).ToList();
        long offset = 0;
        foreach (ManifestBatch b in batches)
        {
            b.Offset = offset;
            offset += b.Length;
        }

        string input = LogObjectName.Merged(B(3), B(4), 0xabc);
        string data = LogObjectName.Merged(B(1), B(6), 0xdef);
        var manifest = new Manifest
        {
            Data = data,
            Batches = batches,
            Supersedes = [B(1), B(2), B(5), B(6), input, LogObjectName.ManifestFor(input)],
        };

        byte[] json = manifest.Serialize(Manifest.Format2);
        LogObjectName.TryParse(LogObjectName.ManifestFor(data), out LogObjectName name);
        Manifest read = Manifest.Parse(json, "k", name);
        Assert.Equal(batches.Select(b => (b.Name, b.Offset, b.Length, b.Lines)), read.Batches.Select(b => (b.Name, b.Offset, b.Length, b.Lines)));
        Assert.Equal(manifest.Supersedes.Order(StringComparer.Ordinal), read.Supersedes.Order(StringComparer.Ordinal));
        Assert.Equal(1, Encoding.UTF8.GetString(json).Split(B(2)[6..^6]).Length - 1); // each batch named once
    }

    [Theory]
    [InlineData("""{"format":"objectlog.manifest/2","data":"x","batches":"no","supersedes":{"batches":[],"objects":[]}}""")]
    [InlineData("""{"format":"objectlog.manifest/2","data":"x","batches":[[1,2,3]],"supersedes":{"batches":[],"objects":[]}}""")]
    [InlineData("""{"format":"objectlog.manifest/3"}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""not json""")]
    public void A_manifest_that_is_not_sound_is_refused_naming_its_key(string json)
    {
        Assert.True(LogObjectName.TryParse("batch_0001700000000000001~0001700000000000002~0000000000000abc.manifest.json", out LogObjectName name));
        CorruptObjectException e = Assert.Throws<CorruptObjectException>(() => Manifest.Parse(Encoding.UTF8.GetBytes(json), "log/the-key", name));
        Assert.Contains("log/the-key", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_log_committed_with_older_manifests_reads_and_compacts_as_before(int format)
    {
        List<string> appended = await WriteBatchesAsync("old", batches: 20, eventsPerBatch: 4, eventBytes: 60);
        await using (var log = new AppendLog(_store, "old", Plain()))
        {
            await log.CompactAsync();
        }

        // Rewrite the manifest as that format wrote it (format 1: every batch as an object, every superseded name in full).
        (ObjectMeta data, ObjectMeta manifestMeta) = await MergedObjectAsync("old");
        LogObjectName.TryParse(manifestMeta.Key["old/".Length..], out LogObjectName name);
        Manifest current = Manifest.Parse(await _store.GetBytesAsync(manifestMeta.Key), manifestMeta.Key, name);
        var format1 = new JsonObject
        {
            ["format"] = "objectlog.manifest/1",
            ["data"] = current.Data,
            ["batches"] = new JsonArray(current.Batches.Select(b => (JsonNode)new JsonObject { ["name"] = b.Name, ["offset"] = b.Offset, ["length"] = b.Length, ["lines"] = b.Lines }).ToArray()),
            ["supersedes"] = new JsonArray(current.Supersedes.Select(n => (JsonNode)JsonValue.Create(n)).ToArray()),
        };
        await _store.PutAsync(manifestMeta.Key, format == 1 ? Encoding.UTF8.GetBytes(format1.ToJsonString()) : current.Serialize(Manifest.Format2));

        await using var reader = new AppendLog(_store, "old", Plain(threshold: 4));
        Assert.Equal(appended, Texts(await reader.ReadAllAsync()));
        var positions = new List<LogEvent>();
        await foreach (LogEvent e in reader.ReadEventsAsync(after: null)) // a filtered read loads every manifest
        {
            positions.Add(e);
        }

        Assert.Equal(appended, Texts(positions.Select(p => p.Data)));
        for (int i = 0; i < 8; i++)
        {
            await reader.AppendAsync(E($"{{\"late\":{i}}}"));
            appended.Add($"{{\"late\":{i}}}");
        }

        await reader.CompactAsync(); // merges the older merged object with new batches
        Assert.Equal(appended, Texts(await new AppendLog(_store, "old", Plain()).ReadAllAsync()));
        Assert.DoesNotContain(await _store.ListSortedAsync("old/"), o => o.Key == data.Key);
        using JsonDocument rewritten = JsonDocument.Parse(await _store.GetBytesAsync((await MergedObjectAsync("old")).Manifest.Key));
        Assert.Equal("objectlog.manifest/3", rewritten.RootElement.GetProperty("format").GetString()); // the new one is format 3
    }

    /// <summary>
    /// 15,000 batches of one event each, as an application that flushes every event writes them (20 to 80 µs apart, each
    /// stored 10 to 40 µs after its event, by a seeded clock), compacted into one merged object: its manifest in format 3
    /// against its data, and against the same manifest in format 2.
    /// </summary>
    [Theory]
    [InlineData(12, 1.0, 6.0)]
    [InlineData(151, 0.10, 0.5)]
    public async Task At_one_event_a_batch_a_format_3_manifest_stays_a_fraction_of_its_data(int eventBytes, double atMost, double format2AtLeast)
    {
        string prefix = $"one-{eventBytes}";
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new InMemoryObjectStore(clock);
        var random = new Random(6);
        AppendLogOptions options = Plain(threshold: 1);
        options.TimeProvider = clock;
        await using (var log = new AppendLog(store, prefix, options))
        {
            for (int i = 0; i < 15_000; i++)
            {
                string e = $"{{\"i\":{i:D5}";
                e += eventBytes > 12 ? ",\"pad\":\"" + new string('x', eventBytes - e.Length - 11) + "\"}" : "}";
                await log.AppendAsync(E(e));
                clock.Advance(TimeSpan.FromMicroseconds(random.Next(10, 40)));
                await log.FlushAsync();
                clock.Advance(TimeSpan.FromMicroseconds(random.Next(10, 40)));
            }

            await log.CompactAsync();
        }

        List<ObjectMeta> all = await store.ListSortedAsync(prefix + "/");
        ObjectMeta data = all.Single(o => o.Key.Contains('~', StringComparison.Ordinal) && o.Key.EndsWith(".jsonl", StringComparison.Ordinal));
        ObjectMeta manifestMeta = all.Single(o => o.Key.EndsWith(".manifest.json", StringComparison.Ordinal));
        LogObjectName.TryParse(manifestMeta.Key[(prefix.Length + 1)..], out LogObjectName name);
        Manifest manifest = Manifest.Parse(await store.GetBytesAsync(manifestMeta.Key), manifestMeta.Key, name);
        long format2 = manifest.Serialize(Manifest.Format2).Length;
        double share = (double)manifestMeta.Size / data.Size;
        output.WriteLine($"15,000 batches of one {eventBytes}-byte event: data {data.Size:N0} bytes, manifest {manifestMeta.Size:N0} bytes ({share:P1}, {(double)manifestMeta.Size / manifest.Batches.Count:F1} a batch); format 2 {format2:N0} ({(double)format2 / data.Size:P1})");
        Assert.Equal(15_000, manifest.Batches.Count);
        Assert.Equal(15_000L * eventBytes, data.Size);
        Assert.True(share <= atMost, $"the manifest is {share:P1} of its data");
        Assert.True((double)format2 / data.Size >= format2AtLeast, "format 2 was this large"); // the same run, before
    }

    /// <summary>Batches of every kind a manifest holds: two writers interleaved, an original-design name, skipped sequences, stored times before and after their names, or none.</summary>
    private static List<ManifestBatch> MixedBatches()
    {
        const long T = 1_764_064_800_000_000;
        DateTimeOffset At(long us) => DateTimeOffset.UnixEpoch.AddTicks(us * TimeSpan.TicksPerMicrosecond);
        var batches = new List<ManifestBatch>
        {
            new() { Name = LogObjectName.Batch(T, 0xaa, 7), Lines = 1, Length = 12, Crc = uint.MaxValue, Stored = At(T + 400_000) },
            new() { Name = $"batch_{T + 2:D19}.jsonl", Lines = 3, Length = 30, Crc = 0, Stored = null },
            new() { Name = LogObjectName.Batch(T + 5, 0xbb, 1), Lines = 1, Length = 12, Crc = 0xdeadbeef, Stored = At(T - 30_000_000) },
            new() { Name = LogObjectName.Batch(T + 5, 0xbb, 2), Lines = 1, Length = 12, Crc = 1, Stored = null },
            new() { Name = LogObjectName.Batch(T + 1_000_000, 0xaa, 9), Lines = 2, Length = 2, Crc = 2, Stored = At(T + 1_200_001) },
            new() { Name = LogObjectName.Batch(T + 1_000_000, 0xbb, 100), Lines = 1, Length = 12, Crc = 3, Stored = At(T + 1_200_001) },
            new() { Name = LogObjectName.Batch(LogObjectName.MaxMicroseconds, 0xaa, 999_999_999_999), Lines = int.MaxValue, Length = long.MaxValue / 2, Crc = 4, Stored = At(LogObjectName.MaxMicroseconds) },
        };
        long offset = 0;
        foreach (ManifestBatch b in batches)
        {
            b.Offset = offset;
            offset += b.Length;
        }

        return batches;
    }

    [Fact]
    public void Format_3_round_trips_every_batch_field_and_what_it_supersedes()
    {
        List<ManifestBatch> batches = MixedBatches();
        string input = LogObjectName.Merged(batches[2].Name, batches[3].Name, 0xabc);
        string data = LogObjectName.Merged(batches[0].Name, batches[^1].Name, 0xdef);
        var manifest = new Manifest
        {
            Data = data,
            Batches = batches,
            Supersedes = [LogObjectName.WithCrc(batches[0].Name, 9), batches[1].Name, batches[4].Name, batches[5].Name, input, LogObjectName.ManifestFor(input)],
        };

        byte[] json = manifest.Serialize();
        output.WriteLine(Encoding.UTF8.GetString(json));
        LogObjectName.TryParse(LogObjectName.ManifestFor(data), out LogObjectName name);
        Manifest read = Manifest.Parse(json, "k", name);
        Assert.Equal(
            batches.Select(b => (b.Name, b.Offset, b.Length, b.Lines, b.Crc, b.Stored)),
            read.Batches.Select(b => (b.Name, b.Offset, b.Length, b.Lines, b.Crc, b.Stored)));
        Assert.Equal(
            manifest.Supersedes.Select(n => LogObjectName.TryParse(n, out LogObjectName p) && p.Kind == LogObjectKind.Batch ? p.First : n).Order(StringComparer.Ordinal),
            read.Supersedes.Order(StringComparer.Ordinal));
        using JsonDocument document = JsonDocument.Parse(json);
        Assert.Equal("objectlog.manifest/3", document.RootElement.GetProperty("format").GetString());
        Assert.Equal(["00000000000000aa", "", "00000000000000bb"], document.RootElement.GetProperty("writers").EnumerateArray().Select(w => w.GetString()));
    }

    [Fact]
    public void Format_3_writes_a_repeated_value_once_with_its_count()
    {
        var batches = Enumerable.Range(1, 1000).Select(n => new ManifestBatch { Name = LogObjectName.Batch(1_764_064_800_000_000L + n, 0xaa, n), Lines = 1, Length = 151, Crc = (uint)n }).ToList();
        string data = LogObjectName.Merged(batches[0].Name, batches[^1].Name, 0xdef);
        using JsonDocument document = JsonDocument.Parse(new Manifest { Data = data, Batches = batches }.Serialize());
        JsonElement root = document.RootElement;
        Assert.Equal("[[0,1000]]", root.GetProperty("writer").GetRawText());
        Assert.Equal("[1764064800000001,[1,999]]", root.GetProperty("time").GetRawText());
        Assert.Equal("[[1,1000]]", root.GetProperty("seq").GetRawText());
        Assert.Equal("[[1,1000]]", root.GetProperty("lines").GetRawText());
        Assert.Equal("[[151,1000]]", root.GetProperty("length").GetRawText());
        Assert.Equal("[]", root.GetProperty("stored").GetRawText());
        Assert.Equal("[[0,999]]", root.GetProperty("stored_unknown").GetRawText());
        Assert.Equal(4000, Convert.FromBase64String(root.GetProperty("crc").GetString()!).Length);
    }

    /// <summary>
    /// One manifest of each format as a version of ObjectLog wrote it, all of the same three batches (format 2 before
    /// checksums, with checksums, and with stored times): each still reads as what it holds.
    /// </summary>
    public static TheoryData<string, bool, bool> Samples() => new()
    {
        { """{"format":"objectlog.manifest/1","data":"batch_0001764064800000001-00000000000000aa-000000000001~0001764064800000300-00000000000000bb-000000000002~0000000000000abc.jsonl","batches":[{"name":"batch_0001764064800000001-00000000000000aa-000000000001.jsonl","offset":0,"length":12,"lines":1},{"name":"batch_0001764064800000200.jsonl","offset":12,"length":40,"lines":3},{"name":"batch_0001764064800000300-00000000000000bb-000000000002.jsonl","offset":52,"length":151,"lines":1}],"supersedes":["batch_0001764064800000001-00000000000000aa-000000000001.jsonl","batch_0001764064800000200.jsonl","batch_0001764064800000300-00000000000000bb-000000000002.jsonl"]}""", false, false },
        { """{"format":"objectlog.manifest/2","data":"batch_0001764064800000001-00000000000000aa-000000000001~0001764064800000300-00000000000000bb-000000000002~0000000000000abc.jsonl","batches":[["0001764064800000001-00000000000000aa-000000000001",1,12],["0001764064800000200",3,40],["0001764064800000300-00000000000000bb-000000000002",1,151]],"supersedes":{"batches":[[0,2]],"objects":[]}}""", false, false },
        { """{"format":"objectlog.manifest/2","data":"batch_0001764064800000001-00000000000000aa-000000000001~0001764064800000300-00000000000000bb-000000000002~0000000000000abc.c0badf00d.jsonl","batches":[["0001764064800000001-00000000000000aa-000000000001",1,12,3735928559],["0001764064800000200",3,40,0],["0001764064800000300-00000000000000bb-000000000002",1,151,4294967295]],"supersedes":{"batches":[[0,2]],"objects":[]}}""", true, false },
        { """{"format":"objectlog.manifest/2","data":"batch_0001764064800000001-00000000000000aa-000000000001~0001764064800000300-00000000000000bb-000000000002~0000000000000abc.c0badf00d.jsonl","batches":[["0001764064800000001-00000000000000aa-000000000001",1,12,3735928559,1764064800250001],["0001764064800000200",3,40,0],["0001764064800000300-00000000000000bb-000000000002",1,151,4294967295,1764064800250001]],"supersedes":{"batches":[[0,2]],"objects":[]}}""", true, true },
        { """{"format":"objectlog.manifest/3","data":"batch_0001764064800000001-00000000000000aa-000000000001~0001764064800000300-00000000000000bb-000000000002~0000000000000abc.c0badf00d.jsonl","count":3,"writers":["00000000000000aa","","00000000000000bb"],"writer":[0,1,2],"time":[1764064800000001,199,100],"seq":[1,2],"lines":[1,3,1],"length":[12,40,151],"crc":"3q2+7wAAAAD/////","stored":[250000,0],"stored_unknown":[[1,1]],"supersedes":{"batches":[[0,2]],"objects":[]}}""", true, true },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void A_manifest_of_every_format_ever_written_reads_as_what_it_holds(string json, bool crcs, bool stored)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        string data = document.RootElement.GetProperty("data").GetString()!;
        Assert.True(LogObjectName.TryParse(LogObjectName.ManifestFor(data), out LogObjectName name));
        Manifest m = Manifest.Parse(Encoding.UTF8.GetBytes(json), "log/sample", name);
        Assert.Equal(data, m.Data);
        Assert.Equal(
            ["batch_0001764064800000001-00000000000000aa-000000000001.jsonl", "batch_0001764064800000200.jsonl", "batch_0001764064800000300-00000000000000bb-000000000002.jsonl"],
            m.Batches.Select(b => b.Name));
        Assert.Equal([(0L, 12L, 1), (12L, 40L, 3), (52L, 151L, 1)], m.Batches.Select(b => (b.Offset, b.Length, b.Lines)));
        Assert.Equal(crcs ? [0xdeadbeef, 0u, uint.MaxValue] : [null, null, null], m.Batches.Select(b => b.Crc));
        DateTimeOffset at = DateTimeOffset.FromUnixTimeMilliseconds(1_764_064_800_250).AddTicks(10);
        Assert.Equal(stored ? [at, null, at] : [null, null, null], m.Batches.Select(b => b.Stored));
        Assert.Equal(m.Batches.Select(b => b.Name), m.Supersedes);
    }
}
