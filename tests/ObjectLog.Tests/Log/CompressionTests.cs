using System.Buffers;
using System.Text;
using ObjectLog.Internal;
using ObjectLog.Storage;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>
/// Compressed objects' names (the encoding is in the name, after <c>.jsonl</c>, and only with a checksum), their
/// content types, and the frame codec's bounds and refusals.
/// </summary>
public sealed class CompressionTests
{
    private const string Batch = "batch_0001764064800000000-9561af24db0ee4ff-000000000001.jsonl";
    private const string Last = "batch_0001764064800000009-9561af24db0ee4ff-000000000007.jsonl";

    [Theory]
    [InlineData(LogCompression.None, ".jsonl")]
    [InlineData(LogCompression.Gzip, ".jsonl.gz")]
    [InlineData(LogCompression.Zstd, ".jsonl.zst")]
    public void Every_kind_of_name_carries_its_datas_encoding_and_parses_back(LogCompression encoding, string ending)
    {
        string key = LogObjectName.WithCrc(Batch, 0xdeadbeef, encoding);
        Assert.EndsWith(".cdeadbeef" + ending, key, StringComparison.Ordinal);
        Assert.True(LogObjectName.TryParse(key, out LogObjectName batch));
        Assert.Equal((LogObjectKind.Batch, Batch, key, 0xdeadbeefu, encoding), (batch.Kind, batch.First, batch.DataName, batch.Crc!.Value, batch.Encoding));
        Assert.Equal(0xdeadbeefu, LogObjectName.CrcOfData(key));
        Assert.Equal(encoding, LogObjectName.EncodingOfData("some/prefix/" + key));

        string merged = LogObjectName.WithCrc(LogObjectName.Merged(Batch, Last, 0xabc), 0x12345678, encoding);
        string manifest = LogObjectName.ManifestFor(merged);
        string marker = LogObjectName.EndMarkerFor(merged);
        Assert.EndsWith(".c12345678" + ending, merged, StringComparison.Ordinal);
        Assert.EndsWith(".c12345678" + ending[".jsonl".Length..] + ".manifest.json", manifest, StringComparison.Ordinal);
        Assert.EndsWith(".c12345678" + ending[".jsonl".Length..] + ".end.json", marker, StringComparison.Ordinal);
        foreach ((string name, LogObjectKind kind) in new[] { (merged, LogObjectKind.Merged), (manifest, LogObjectKind.Manifest), (marker, LogObjectKind.EndMarker) })
        {
            Assert.True(LogObjectName.TryParse(name, out LogObjectName parsed), name);
            Assert.Equal((kind, Batch, Last, merged, 0x12345678u, encoding), (parsed.Kind, parsed.First, parsed.Last, parsed.DataName, parsed.Crc!.Value, parsed.Encoding));
        }

        // The commit check lists the data and its manifest from what they share, and nothing else of the log's.
        string shared = LogObjectName.CommitPrefix(merged);
        Assert.StartsWith(shared, manifest, StringComparison.Ordinal);
        Assert.False(marker.StartsWith(shared, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("batch_0001764064800000000.jsonl.zst")] // compressed without a checksum
    [InlineData("batch_0001764064800000000-9561af24db0ee4ff-000000000001.jsonl.gz")]
    [InlineData("batch_0001764064800000000~0001764064800000001~0000000000000abc.jsonl.zst")]
    [InlineData("batch_0001764064800000000~0001764064800000001~0000000000000abc.zst.manifest.json")]
    [InlineData("batch_0001764064800000001~0001764064800000000~0000000000000abc.gz.end.json")]
    [InlineData("batch_0001764064800000000.c0000abcd.jsonl.br")] // an encoding ObjectLog does not write
    [InlineData("batch_0001764064800000000.c0000abcd.jsonl.ZST")]
    [InlineData("batch_0001764064800000000.c0000abcd.jsonl.zst.gz")]
    [InlineData("batch_0001764064800000000.c0000abcd.zst.jsonl")]
    [InlineData("batch_0001764064800000000.c0000abcd.jsonl.zst\n")]
    [InlineData("batch_0001764064800000000~0001764064800000001~0000000000000abc.c0000abcd.jsonl.zst.manifest.json")]
    [InlineData("batch_0001764064800000000~0001764064800000001~0000000000000abc.c0000abcd.gz.zst.manifest.json")]
    public void Names_with_another_or_a_misplaced_encoding_are_not_the_logs(string name)
        => Assert.False(LogObjectName.TryParse(name, out _), $"'{name}' was taken for the log's");

    [Fact]
    public void Compressed_objects_carry_a_type_that_says_what_they_are()
    {
        Assert.Equal("application/zstd", ObjectContentType.For("p/" + LogObjectName.WithCrc(Batch, 1, LogCompression.Zstd)));
        Assert.Equal("application/gzip", ObjectContentType.For("p/" + LogObjectName.WithCrc(Batch, 1, LogCompression.Gzip)));
        Assert.Equal("application/jsonl", ObjectContentType.For("p/" + LogObjectName.WithCrc(Batch, 1)));
        Assert.Equal("application/json", ObjectContentType.For("p/" + LogObjectName.ManifestFor(LogObjectName.WithCrc(LogObjectName.Merged(Batch, Last, 1), 1, LogCompression.Zstd))));
    }

    [Theory]
    [InlineData(LogCompression.Zstd)]
    [InlineData(LogCompression.Gzip)]
    public void A_frame_decodes_to_its_bytes_within_a_bound_and_past_it_is_corrupt(LogCompression encoding)
    {
        byte[] raw = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 500).Select(i => Json(1, i) + "\n")));
        byte[] frame = FrameCodec.Encode(raw, encoding);
        Assert.True(frame.Length * 4 < raw.Length, $"{frame.Length} bytes for {raw.Length}");

        byte[] output = ArrayPool<byte>.Shared.Rent(16); // a pooled buffer, replaced by larger pooled ones as needed
        int written = FrameCodec.Decode("k", 0, encoding, frame, raw.Length, ref output, 0);
        Assert.Equal(raw, output.AsSpan(0, written).ToArray());

        byte[] small = ArrayPool<byte>.Shared.Rent(16);
        CorruptObjectException past = Assert.Throws<CorruptObjectException>(() => FrameCodec.Decode("k", 7, encoding, frame, raw.Length - 1, ref small, 0));
        Assert.Equal("k", past.Key);
        Assert.Contains($"more than {raw.Length - 1} bytes", past.Message, StringComparison.Ordinal);

        // Decoding continues after what the buffer already holds (the batches before it in a part).
        byte[] after = Encoding.UTF8.GetBytes("{\"before\":1}\n");
        byte[] joined = ArrayPool<byte>.Shared.Rent(after.Length);
        after.CopyTo(joined, 0);
        written = FrameCodec.Decode("k", 0, encoding, frame, raw.Length, ref joined, after.Length);
        Assert.Equal([.. after, .. raw], joined.AsSpan(0, written).ToArray());
    }

    [Fact]
    public void Zstandard_frames_back_to_back_decode_as_one_stream_and_a_cut_one_is_corrupt()
    {
        byte[] a = Encoding.UTF8.GetBytes("{\"a\":1}\n"), b = Encoding.UTF8.GetBytes("{\"b\":2}\n{\"b\":3}\n");
        byte[] frames = [.. FrameCodec.Encode(a, LogCompression.Zstd), .. FrameCodec.Encode(b, LogCompression.Zstd)];
        byte[] output = ArrayPool<byte>.Shared.Rent(4);
        int written = FrameCodec.Decode("k", 0, LogCompression.Zstd, frames, 1024, ref output, 0);
        Assert.Equal([.. a, .. b], output.AsSpan(0, written).ToArray());

        CorruptObjectException cut = Assert.Throws<CorruptObjectException>(() => FrameCodec.Decode("k", 0, LogCompression.Zstd, frames.AsSpan(0, frames.Length - 3), 1024, ref output, 0));
        Assert.Contains("truncated", cut.Message, StringComparison.Ordinal);

        // The decoder left inside the cut frame is not the one the next object gets.
        written = FrameCodec.Decode("k", 0, LogCompression.Zstd, frames, 1024, ref output, 0);
        Assert.Equal([.. a, .. b], output.AsSpan(0, written).ToArray());
    }

    [Theory]
    [InlineData(LogCompression.Zstd, LogCompression.Gzip)]
    [InlineData(LogCompression.Gzip, LogCompression.Zstd)]
    public void Bytes_of_the_other_encoding_are_corrupt_never_guessed(LogCompression named, LogCompression actual)
    {
        byte[] frame = FrameCodec.Encode(Encoding.UTF8.GetBytes("{\"a\":1}\n"), actual);
        byte[] output = ArrayPool<byte>.Shared.Rent(64);
        CorruptObjectException e = Assert.Throws<CorruptObjectException>(() => FrameCodec.Decode("the/key", 0, named, frame, 1024, ref output, 0));
        Assert.Equal("the/key", e.Key);
    }

    [Fact]
    public void A_gzip_member_cut_anywhere_is_corrupt()
    {
        byte[] raw = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 50).Select(i => Json(2, i) + "\n")));
        byte[] member = FrameCodec.Encode(raw, LogCompression.Gzip);
        foreach (int cut in new[] { 1, 3, 4, 8, member.Length / 2 })
        {
            byte[] output = ArrayPool<byte>.Shared.Rent(64);
            Assert.Throws<CorruptObjectException>(() => FrameCodec.Decode("k", 0, LogCompression.Gzip, member.AsSpan(0, member.Length - cut), 1 << 20, ref output, 0));
        }
    }
    [Fact]
    public async Task A_compaction_in_the_batches_own_encoding_copies_their_frames_and_another_encoding_recompresses_them()
    {
        // Batches whose frames another writer made (zstd level 19, with a checksum of its own): compressing them again
        // at ObjectLog's level would give other bytes.
        var store = new InMemoryObjectStore();
        using (var other = new ZstdSharp.Compressor(19))
        {
            other.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
            for (int b = 0; b < 4; b++)
            {
                byte[] frame = other.Wrap(E(string.Concat(Enumerable.Range(5 * b, 5).Select(i => Json(3, i) + "\n")))).ToArray();
                await store.PutAsync($"copy/{LogObjectName.WithCrc(LogObjectName.Batch(1_764_064_800_000_000 + b, 0xabc, b + 1), Crc32C.Compute(frame), LogCompression.Zstd)}", frame);
            }
        }

        AppendLogOptions zstd = Quiet();
        zstd.Compression = LogCompression.Zstd;
        List<ObjectMeta> batches = await store.ListSortedAsync("copy/");
        Assert.Equal(4, batches.Count);
        var originals = new List<byte[]>();
        foreach (ObjectMeta meta in batches)
        {
            originals.Add(await store.GetBytesAsync(meta.Key));
        }

        // Zstd into zstd: the merged object is the batch objects' bytes back to back, and each batch keeps its checksum.
        await using (var compactor = new AppendLog(store, "copy", zstd))
        {
            CompactionStats stats = await compactor.CompactAsync();
            Assert.Equal(originals.SelectMany(b => b), await store.GetBytesAsync(stats.NewKey!));
            Assert.True(LogObjectName.TryParse(stats.NewKey!["copy/".Length..], out LogObjectName merged));
            Manifest manifest = Manifest.Parse(await store.GetBytesAsync("copy/" + LogObjectName.ManifestFor(merged.DataName)), "m", merged with { Kind = LogObjectKind.Manifest });
            Assert.Equal(batches.Select(m => LogObjectName.CrcOfData(m.Key)), manifest.Batches.Select(b => b.Crc));
            Assert.Equal(originals.Select(b => (long)b.Length), manifest.Batches.Select(b => b.Length));
        }

        // Zstd into gzip: every batch compressed again, one gzip member each, and the log reads the same.
        AppendLogOptions gzip = Quiet();
        gzip.Compression = LogCompression.Gzip;
        await using (var compactor = new AppendLog(store, "copy", gzip))
        {
            await compactor.AppendAsync(E(Json(3, 20)));
            await compactor.FlushAsync();
            CompactionStats stats = await compactor.CompactAsync();
            Assert.EndsWith(".jsonl.gz", stats.NewKey, StringComparison.Ordinal);
            Assert.Equal(Enumerable.Range(0, 21).Select(i => Json(3, i)), Texts(await compactor.ReadAllAsync()));
        }
    }
    [Fact]
    public async Task A_writer_whose_compressed_batches_could_outgrow_what_a_reader_decodes_is_refused_when_opened()
    {
        var store = new InMemoryObjectStore();
        var huge = new AppendLogOptions { FlushThresholdBytes = 256 * 1024 * 1024 };
        ArgumentException e = Assert.Throws<ArgumentException>(() => new AppendLog(store, "huge", huge));
        Assert.Contains("FlushThresholdBytes + MaxEventBytes", e.Message, StringComparison.Ordinal);
        Assert.Empty(await store.ListSortedAsync(""));

        huge.Compression = LogCompression.None; // plain batches have no such bound
        await using var plain = new AppendLog(store, "huge", huge);
    }
}
