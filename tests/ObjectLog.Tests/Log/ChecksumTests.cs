using System.Text;
using ObjectLog.Internal;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>CRC-32C end to end: names that carry it, a check before any event is handed out, and the PUT that sends it.</summary>
public sealed class ChecksumTests
{
    private readonly InMemoryObjectStore _memory = new();

    [Fact]
    public void Crc32C_is_Castagnoli()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8)); // the CRC-32C check value
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Theory]
    [InlineData("batch_0001764064800000000-9561af24db0ee4ff-000000000001.c0a1b2c3d.jsonl", "Batch", "batch_0001764064800000000-9561af24db0ee4ff-000000000001.jsonl", 0x0a1b2c3du)]
    [InlineData("batch_0001764064800000000-9561af24db0ee4ff-000000000001.jsonl", "Batch", "batch_0001764064800000000-9561af24db0ee4ff-000000000001.jsonl", null)]
    [InlineData("batch_0001764064800000000.jsonl", "Batch", "batch_0001764064800000000.jsonl", null)]
    [InlineData("batch_0001764064800000000-9561af24db0ee4ff-000000000001~0001764064800000009-9561af24db0ee4ff-000000000009~00000000000000bb.cffffffff.jsonl", "Merged", "batch_0001764064800000000-9561af24db0ee4ff-000000000001.jsonl", 0xffffffffu)]
    [InlineData("batch_0001764064800000000-9561af24db0ee4ff-000000000001~0001764064800000009-9561af24db0ee4ff-000000000009~00000000000000bb.c00000001.manifest.json", "Manifest", "batch_0001764064800000000-9561af24db0ee4ff-000000000001.jsonl", 1u)]
    [InlineData("batch_0001764064800000009-9561af24db0ee4ff-000000000009~0001764064800000000-9561af24db0ee4ff-000000000001~00000000000000bb.c00000001.end.json", "EndMarker", "batch_0001764064800000000-9561af24db0ee4ff-000000000001.jsonl", 1u)]
    public void A_name_carries_its_checksum_apart_from_the_batch_it_names(string name, string kindName, string first, uint? crc)
    {
        LogObjectKind kind = Enum.Parse<LogObjectKind>(kindName);
        Assert.True(LogObjectName.TryParse(name, out LogObjectName parsed));
        Assert.Equal(kind, parsed.Kind);
        Assert.Equal(first, parsed.First);
        Assert.Equal(crc, parsed.Crc);
        if (kind is LogObjectKind.Batch or LogObjectKind.Merged)
        {
            Assert.Equal(crc, LogObjectName.CrcOfData(name)); // the shortcut readers take agrees with the parser
        }
        if (kind is LogObjectKind.Manifest or LogObjectKind.EndMarker)
        {
            // All three names of one merged object lead to the same data key, checksum included.
            Assert.Equal("batch_0001764064800000000-9561af24db0ee4ff-000000000001~0001764064800000009-9561af24db0ee4ff-000000000009~00000000000000bb.c00000001.jsonl", parsed.DataName);
            Assert.Equal(name, kind == LogObjectKind.Manifest ? LogObjectName.ManifestFor(parsed.DataName) : LogObjectName.EndMarkerFor(parsed.DataName));
        }
    }

    [Theory]
    [InlineData("batch_0001764064800000000-9561af24db0ee4ff-000000000001.c0A1B2C3D.jsonl")] // upper-case hex
    [InlineData("batch_0001764064800000000-9561af24db0ee4ff-000000000001.c0a1b2c3.jsonl")] // seven digits
    [InlineData("batch_0001764064800000000-9561af24db0ee4ff-000000000001.c0a1b2c3d.c0a1b2c3d.jsonl")]
    public void Malformed_checksums_make_a_name_that_is_not_the_logs(string name) => Assert.False(LogObjectName.TryParse(name, out _));

    [Fact]
    public async Task A_writer_names_each_batch_with_the_checksum_of_its_bytes_and_sends_it_with_the_put()
    {
        var recording = new ChecksumRecordingStore(_memory);
        await using (var log = new AppendLog(recording, "named", Quiet(threshold: 3)))
        {
            for (int i = 0; i < 7; i++)
            {
                await log.AppendAsync(E(Json(0, i)));
            }
        }

        List<ObjectMeta> stored = await _memory.ListSortedAsync("named/");
        Assert.Equal(3, stored.Count);
        foreach (ObjectMeta meta in stored)
        {
            Assert.True(LogObjectName.TryParse(meta.Key["named/".Length..], out LogObjectName name));
            uint actual = Crc32C.Compute(await _memory.GetBytesAsync(meta.Key));
            Assert.Equal(actual, name.Crc);
            Assert.Equal(actual, recording.Sent[meta.Key]);
        }

        await using var compactor = new AppendLog(recording, "named", Quiet());
        CompactionStats stats = await compactor.CompactAsync();
        Assert.True(LogObjectName.TryParse(stats.NewKey!["named/".Length..], out LogObjectName merged));
        Assert.Equal(Crc32C.Compute(await _memory.GetBytesAsync(stats.NewKey!)), merged.Crc);
        Assert.Equal(merged.Crc, recording.Sent[stats.NewKey!]);

        // The manifest keeps each batch's checksum: the same one its batch object had.
        Manifest manifest = Manifest.Parse(await _memory.GetBytesAsync("named/" + LogObjectName.ManifestFor(merged.DataName)), "m", merged with { Kind = LogObjectKind.Manifest });
        Assert.Equal(stored.Select(m => { LogObjectName.TryParse(m.Key["named/".Length..], out LogObjectName n); return n.Crc; }), manifest.Batches.Select(b => b.Crc));
    }

    [Theory]
    [InlineData(LogCompression.Zstd)]
    [InlineData(LogCompression.Gzip)]
    public async Task A_compressed_batch_whose_put_landed_but_failed_is_retried_under_its_first_key_as_one_object(LogCompression compression)
    {
        // Every first PUT lands and then reports failure; the retry must meet the object it already stored.
        var faulty = new FaultInjectingObjectStore(_memory);
        var attempted = new HashSet<string>();
        faulty.FailWhen((call, key) => call == StoreCall.Put && attempted.Add(key) ? Fault.FailAfter : null);
        var recording = new ChecksumRecordingStore(faulty);
        AppendLogOptions options = Quiet(threshold: 4);
        options.Compression = compression;
        await using (var log = new AppendLog(recording, "retried", options))
        {
            for (int i = 0; i < 8; i++)
            {
                log.TryAppend(E(Json(0, i)));
            }

            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    await log.FlushAsync();
                    break;
                }
                catch (ObjectStoreException) when (attempt < 5)
                {
                }
            }
        }

        List<ObjectMeta> stored = await _memory.ListSortedAsync("retried/");
        Assert.Equal(2, stored.Count); // one object a batch, however often it was sent
        Assert.Equal(stored.Select(m => m.Key).Order(StringComparer.Ordinal), attempted.Order(StringComparer.Ordinal)); // every attempt used the first key
        foreach (ObjectMeta meta in stored)
        {
            Assert.Equal(compression, LogObjectName.EncodingOfData(meta.Key));
            Assert.Equal(Crc32C.Compute(await _memory.GetBytesAsync(meta.Key)), recording.Sent[meta.Key]);
        }

        await using var reader = new AppendLog(_memory, "retried", Quiet());
        Assert.Equal(Enumerable.Range(0, 8).Select(i => Json(0, i)), Texts(await reader.ReadAllAsync()));
    }

    [Fact]
    public async Task A_damaged_batch_read_across_ranged_parts_hands_out_none_of_its_events()
    {
        // Batches of about 200 bytes read in 64-byte parts: every batch spans several parts.
        var options = new AppendLogOptions { FlushThreshold = 4, FlushInterval = Timeout.InfiniteTimeSpan, Compression = LogCompression.None };
        options.ReadPartBytes = 64;
        string[] expected = Enumerable.Range(0, 16).Select(i => Json(0, i)).ToArray();
        await using (var writer = new AppendLog(_memory, "parts", options))
        {
            foreach (string text in expected)
            {
                await writer.AppendAsync(E(text));
            }

            await writer.CompactAsync();
        }

        string key = (await _memory.ListSortedAsync("parts/")).Single(m => m.Key.EndsWith(".jsonl", StringComparison.Ordinal)).Key;
        await using (var reader = new AppendLog(_memory, "parts", options))
        {
            Assert.Equal(expected, Texts(await reader.ReadAllAsync()));
        }

        byte[] bytes = await _memory.GetBytesAsync(key);
        int at = Encoding.UTF8.GetString(bytes).IndexOf("event 10", StringComparison.Ordinal); // the third batch, events 8 to 11
        bytes[at] ^= 0x20;
        await _memory.PutAsync(key, bytes);

        await using var damaged = new AppendLog(_memory, "parts", options);
        (CorruptObjectException e, List<string> read) = await StreamUntilItFailsAsync(damaged);
        Assert.Equal(key, e.Key);
        Assert.Equal(expected[..8], read);
    }

    [Fact]
    public async Task A_batch_larger_than_a_framing_step_is_checked_before_any_of_its_events_leaves()
    {
        // Batches of 2,000 events of about 50 bytes: each object (about 100 KB) is read in one part, checked whole,
        // then framed in several steps; the damage is in the second batch's last event, after its first step.
        var options = Plain(threshold: 2000);
        string[] expected = Enumerable.Range(0, 6000).Select(i => Json(0, i)).ToArray();
        await using (var writer = new AppendLog(_memory, "large", options))
        {
            foreach (string text in expected)
            {
                await writer.AppendAsync(E(text));
            }
        }

        List<ObjectMeta> objects = await _memory.ListSortedAsync("large/");
        Assert.Equal(3, objects.Count);
        Assert.All(objects, o => Assert.True(o.Size > 64 * 1024, $"{o.Key} is {o.Size} bytes"));
        await using (var reader = new AppendLog(_memory, "large", options))
        {
            List<LogEvent> events = await ToListAsync(reader.ReadEventsAsync());
            Assert.Equal(expected, Texts(events.Select(e => e.Data)));
            Assert.Equal(objects.SelectMany(o => Enumerable.Range(0, 2000).Select(line => (BatchOf(o.Key), line))), events.Select(e => (e.Position.Batch, e.Position.Line)));
        }

        string key = objects[1].Key;
        byte[] bytes = await _memory.GetBytesAsync(key);
        bytes[^5] ^= 0x20;
        await _memory.PutAsync(key, bytes);

        await using var damaged = new AppendLog(_memory, "large", options);
        (CorruptObjectException e, List<string> read) = await StreamUntilItFailsAsync(damaged);
        Assert.Equal(key, e.Key);
        Assert.Contains("CRC-32C", e.Message, StringComparison.Ordinal);
        Assert.Equal(expected[..2000], read);
    }

    /// <summary>Streams <paramref name="log"/> with ReadAsync until the read fails, which it must, and returns the failure and what came before it.</summary>
    private static async Task<(CorruptObjectException Failure, List<string> Read)> StreamUntilItFailsAsync(AppendLog log)
    {
        var read = new List<string>();
        CorruptObjectException e = await Assert.ThrowsAsync<CorruptObjectException>(async () =>
        {
            await foreach (byte[] data in log.ReadAsync())
            {
                read.Add(Encoding.UTF8.GetString(data));
            }
        });
        return (e, read);
    }

    [Fact]
    public async Task A_byte_flipped_in_place_in_a_file_is_caught()
    {
        using var dir = new TempDirectory();
        var store = new FileSystemObjectStore(dir.Path);
        await using (var writer = new AppendLog(store, "disk", Quiet(threshold: 2)))
        {
            for (int i = 0; i < 6; i++)
            {
                await writer.AppendAsync(E(Json(0, i)));
            }
        }

        string key = (await store.ListSortedAsync("disk/"))[1].Key;
        string path = Path.Combine(dir.Path, key);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 5;
            int b = file.ReadByte();
            file.Position = 5;
            file.WriteByte((byte)(b ^ 0x01));
        }

        await using var reader = new AppendLog(store, "disk", Quiet());
        CorruptObjectException e = await Assert.ThrowsAsync<CorruptObjectException>(() => reader.ReadAllAsync());
        Assert.Equal(key, e.Key);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Objlog_cat_prints_what_lies_before_a_damaged_object_then_names_it_and_says_what_to_do()
    {
        using var dir = new TempDirectory();
        var store = new FileSystemObjectStore(Path.Combine(dir.Path, "data"));
        await using (var writer = new AppendLog(store, "app", Quiet(threshold: 1)))
        {
            for (int i = 0; i < 3; i++)
            {
                await writer.AppendAsync(E(Json(0, i)));
            }
        }

        string key = (await store.ListSortedAsync("app/"))[1].Key;
        string path = Path.Combine(dir.Path, "data", key);
        File.WriteAllText(path, File.ReadAllText(path).Replace("event", "Event", StringComparison.Ordinal));

        (int code, string output, string error) = await Cli.Objlog.RunAsync(dir.Path, ["cat", "--store", "./data", "--log", "app"], null);
        Assert.Equal(1, code);
        Assert.Equal(Json(0, 0) + "\n", output.ReplaceLineEndings("\n"));
        Assert.Contains($"Object '{key}' is corrupt", error, StringComparison.Ordinal);
        Assert.Contains("objlog verify' lists every damaged object", error, StringComparison.Ordinal);

        (code, output, _) = await Cli.Objlog.RunAsync(dir.Path, ["verify", "--store", "./data", "--log", "app"], null);
        Assert.Equal(1, code);
        Assert.Contains(key, output, StringComparison.Ordinal);
        Assert.Contains("CRC-32C", output, StringComparison.Ordinal);
    }

    /// <summary>Records the checksum each PUT was given.</summary>
    private sealed class ChecksumRecordingStore(IObjectStore inner) : IObjectStore
    {
        public Dictionary<string, uint> Sent { get; } = new(StringComparer.Ordinal);

        public bool SupportsCreateOnly => inner.SupportsCreateOnly;

        public ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default) => inner.GetTimeAsync(cancellationToken);

        public Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default) => inner.PutAsync(key, content, mode, cancellationToken);

        public Task PutAsync(string key, Stream content, PutMode mode, uint crc32C, CancellationToken cancellationToken = default)
        {
            lock (Sent)
            {
                Sent[key] = crc32C;
            }

            return inner.PutAsync(key, content, mode, crc32C, cancellationToken);
        }

        public Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) => inner.GetAsync(key, range, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

        public IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, startAfter, cancellationToken);
    }
}
