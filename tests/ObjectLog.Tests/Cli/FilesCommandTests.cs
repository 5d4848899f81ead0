using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ObjectLog.Storage;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Cli;

/// <summary><c>objlog files</c>: the objects and ranges a reader reads, as lines, JSON, or a list for DuckDB.</summary>
public sealed class FilesCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string StorePath => Path.Combine(_dir.Path, "objectlog-data");

    [Fact]
    public async Task Piped_files_prints_a_live_key_a_line_and_json_a_line_an_object()
    {
        string merged;
        await using (var log = new AppendLog(new FileSystemObjectStore(StorePath), "events", new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, SupersededGracePeriod = TimeSpan.FromHours(1) }))
        {
            foreach (string e in new[] { "{\"n\":1}", "{\"n\":2}", "{\"n\":3}" })
            {
                await log.AppendAsync(E(e));
            }

            merged = (await log.CompactAsync()).NewKey!;
        }

        (int code, string output, string error) = await RunAsync("files");
        Assert.True(code == 0, error);
        Assert.Equal(merged + "\n", output); // the three superseded originals are still stored, and not listed

        (code, output, _) = await RunAsync("files", "--json");
        Assert.Equal(0, code);
        using JsonDocument listed = JsonDocument.Parse(Assert.Single(output.TrimEnd('\n').Split('\n')));
        JsonElement o = listed.RootElement;
        Assert.Equal(merged, o.GetProperty("key").GetString());
        Assert.Equal(Path.Combine(StorePath, merged), o.GetProperty("path").GetString());
        Assert.True(File.Exists(o.GetProperty("path").GetString()));
        Assert.Equal(JsonValueKind.Null, o.GetProperty("offset").ValueKind);
        Assert.Equal(3, o.GetProperty("events").GetInt64());
        Assert.Equal(new FileInfo(Path.Combine(StorePath, merged)).Length, o.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task Duckdb_format_refuses_a_partly_live_object_with_advice_and_works_after_compact()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromDays(1));
        DateTimeOffset start = clock.GetUtcNow();
        await using (var log = new AppendLog(new FileSystemObjectStore(StorePath), "events", new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = clock, StoreTimeProvider = clock, Compression = LogCompression.None }))
        {
            foreach (string e in new[] { "{\"n\":1}", "{\"n\":2}", "{\"n\":3}" })
            {
                await log.AppendAsync(E(e));
                clock.Advance(TimeSpan.FromSeconds(10));
            }

            await log.CompactAsync();
            await log.TrimAsync(start + TimeSpan.FromSeconds(5)); // the merged object now holds one trimmed event
        }

        (int code, string output, _) = await RunAsync("files");
        Assert.Equal(0, code);
        Assert.EndsWith("\tbytes=8-23\n", output, StringComparison.Ordinal); // {"n":1}\n is 8 bytes

        (code, output, string error) = await RunAsync("files", "--format", "duckdb");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("only part of 1 object(s) is live", error, StringComparison.Ordinal);
        Assert.Contains("objlog compact", error, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync("compact")).Code);
        (code, output, error) = await RunAsync("files", "--format", "duckdb");
        Assert.True(code == 0, error);
        Assert.StartsWith("['" + Path.Combine(StorePath, "events", "batch_"), output, StringComparison.Ordinal);
        Assert.EndsWith(".jsonl.zst']\n", output, StringComparison.Ordinal); // the compaction wrote the plain batches compressed
        using (var zstd = new ZstdSharp.DecompressionStream(File.OpenRead(output.Trim()[2..^2])))
        using (var text = new StreamReader(zstd))
        {
            Assert.Equal("{\"n\":2}\n{\"n\":3}\n", await text.ReadToEndAsync()); // the trimmed event is gone
        }
    }

    [Fact]
    public async Task A_bad_format_is_a_usage_error()
    {
        Assert.Equal(0, (await RunAsync("append", "{}")).Code);
        foreach (string[] args in new[] { new[] { "files", "--format", "parquet" }, ["files", "--json", "--format", "duckdb"] })
        {
            (int code, string output, string error) = await RunAsync(args);
            Assert.Equal(2, code);
            Assert.Equal("", output);
            Assert.Contains("--format", error, StringComparison.Ordinal);
        }
    }

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => Objlog.RunAsync(_dir.Path, args, null);
}
