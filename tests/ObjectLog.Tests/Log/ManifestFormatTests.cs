using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ObjectLog.Internal;
using ObjectLog.Storage;
using Xunit.Abstractions;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>Manifests: format 2 is small and round-trips; format 1 manifests still read and compact.</summary>
public sealed class ManifestFormatTests(ITestOutputHelper output)
{
    private readonly InMemoryObjectStore _store = new();

    private async Task<List<string>> WriteBatchesAsync(string prefix, int batches, int eventsPerBatch, int eventBytes)
    {
        var appended = new List<string>();
        await using var log = new AppendLog(_store, prefix, Quiet(threshold: eventsPerBatch));
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
        await using (var log = new AppendLog(_store, "small", Quiet()))
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

        byte[] json = manifest.Serialize();
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

    [Fact]
    public async Task A_log_committed_with_format_1_manifests_reads_and_compacts_as_before()
    {
        List<string> appended = await WriteBatchesAsync("old", batches: 20, eventsPerBatch: 4, eventBytes: 60);
        await using (var log = new AppendLog(_store, "old", Quiet()))
        {
            await log.CompactAsync();
        }

        // Rewrite the manifest as format 1 wrote it: every batch as an object, every superseded name in full.
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
        await _store.PutAsync(manifestMeta.Key, Encoding.UTF8.GetBytes(format1.ToJsonString()));

        await using var reader = new AppendLog(_store, "old", Quiet(threshold: 4));
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

        await reader.CompactAsync(); // merges the format 1 merged object with new batches
        Assert.Equal(appended, Texts(await new AppendLog(_store, "old", Quiet()).ReadAllAsync()));
        Assert.DoesNotContain(await _store.ListSortedAsync("old/"), o => o.Key == data.Key);
        using JsonDocument rewritten = JsonDocument.Parse(await _store.GetBytesAsync((await MergedObjectAsync("old")).Manifest.Key));
        Assert.Equal("objectlog.manifest/2", rewritten.RootElement.GetProperty("format").GetString()); // the new one is format 2
    }
}
