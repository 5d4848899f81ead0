using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using Microsoft.Extensions.Time.Testing;
using ObjectLog.Storage;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Cli;

/// <summary>
/// A log mixing plain, zstd and gzip batches, compacted in part (a gzip merge since superseded, a zstd merge live) and
/// written to after: tools outside ObjectLog read it. Debian's <c>zstdcat</c> and <c>zcat</c> decode every stored data
/// object, merged ones being concatenated frames; DuckDB reads <c>objlog files --format duckdb</c>'s list and gets
/// exactly <c>objlog cat</c>'s events; and objlog's own commands read the mix.
/// </summary>
public sealed class OutsideReaderTests : IDisposable
{
    private const int Events = 150;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string StorePath => Path.Combine(_dir.Path, "objectlog-data");

    private string LogPath => Path.Combine(StorePath, "events");

    [Fact]
    public async Task Duckdb_reads_the_listed_objects_of_a_mixed_log_and_gets_exactly_cats_events()
    {
        await WriteMixedLogAsync();
        List<Event> cat = await CatAsync();

        (int code, string files, string error) = await RunAsync("files", "--format", "duckdb");
        Assert.True(code == 0, error);
        string source = files.Trim();
        Assert.Contains(".jsonl'", source, StringComparison.Ordinal);
        Assert.Contains(".jsonl.zst'", source, StringComparison.Ordinal);
        Assert.Contains(".jsonl.gz'", source, StringComparison.Ordinal);

        using var duckdb = new DuckDBConnection("DataSource=:memory:");
        duckdb.Open();
        Assert.Equal(cat, Rows(duckdb, $"SELECT seq, w, msg FROM read_json_auto({source}) ORDER BY seq"));
        Assert.Equal(cat, Rows(duckdb, $"SELECT seq, w, msg FROM read_json_auto({source})")); // in the listed order, which is the log's

        // Each stored data object on its own, merged ones (several frames or gzip members) and superseded ones too.
        foreach (string data in DataObjects())
        {
            List<Event> decoded = [.. (await DecodeAsync(data)).TrimEnd('\n').Split('\n').Select(Parse)];
            Assert.Equal(decoded, Rows(duckdb, $"SELECT seq, w, msg FROM read_json_auto('{data.Replace("'", "''", StringComparison.Ordinal)}')"));
        }
    }

    [Fact]
    public async Task Zstdcat_and_zcat_decode_every_stored_data_object_and_the_listed_ones_make_cats_output()
    {
        await WriteMixedLogAsync();

        string[] stored = DataObjects();
        Assert.Contains(stored, p => p.EndsWith(".jsonl", StringComparison.Ordinal));
        Assert.Contains(stored, p => p.EndsWith(".jsonl.zst", StringComparison.Ordinal) && p.Contains('~', StringComparison.Ordinal));
        Assert.Contains(stored, p => p.EndsWith(".jsonl.gz", StringComparison.Ordinal) && p.Contains('~', StringComparison.Ordinal));
        Assert.Contains(stored, p => p.EndsWith(".jsonl.gz", StringComparison.Ordinal) && !p.Contains('~', StringComparison.Ordinal));
        foreach (string data in stored)
        {
            string text = await DecodeAsync(data);
            Assert.True(text.Length > 0 && text.EndsWith('\n'), $"{data} decoded to {text.Length} characters, not JSON Lines");
            foreach (string line in text.TrimEnd('\n').Split('\n'))
            {
                using JsonDocument parsed = JsonDocument.Parse(line); // throws on a line that is not JSON
                Assert.Equal(JsonValueKind.Object, parsed.RootElement.ValueKind);
            }
        }

        (int code, string cat, string error) = await RunAsync("cat");
        Assert.True(code == 0, error);
        (code, string listed, error) = await RunAsync("files", "--json");
        Assert.True(code == 0, error);
        var concatenated = new StringBuilder();
        foreach (string line in listed.TrimEnd('\n').Split('\n'))
        {
            using JsonDocument o = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Null, o.RootElement.GetProperty("offset").ValueKind); // every listed object wholly live
            concatenated.Append(await DecodeAsync(o.RootElement.GetProperty("path").GetString()!));
        }

        Assert.Equal(cat, concatenated.ToString());
    }

    [Fact]
    public async Task Cat_tail_verify_and_files_read_a_mixed_log()
    {
        await WriteMixedLogAsync();

        List<Event> cat = await CatAsync();
        Assert.Equal(Enumerable.Range(0, Events).Select(Expected), cat);

        (int code, string output, string error) = await RunAsync("tail", "-n", "5");
        Assert.True(code == 0, error);
        Assert.Equal(Enumerable.Range(Events - 5, 5).Select(Expected), output.TrimEnd('\n').Split('\n').Select(Parse));

        (code, output, error) = await RunAsync("verify");
        Assert.True(code == 0, output + error);
        Assert.Contains($"ok: {Events} events", output, StringComparison.Ordinal);
        Assert.Contains("7 live objects", output, StringComparison.Ordinal); // the zstd merge and six batches after it
        Assert.DoesNotContain("problem", output, StringComparison.Ordinal);

        (code, output, error) = await RunAsync("files");
        Assert.True(code == 0, error);
        string[] keys = output.TrimEnd('\n').Split('\n');
        Assert.Equal(7, keys.Length);
        Assert.All(keys, k => Assert.True(File.Exists(Path.Combine(StorePath, k)), k));
        Assert.EndsWith(".jsonl.zst", keys[0], StringComparison.Ordinal);
        Assert.Equal(2, keys.Count(k => k.EndsWith(".jsonl", StringComparison.Ordinal)));
        Assert.Equal(3, keys.Count(k => k.EndsWith(".jsonl.zst", StringComparison.Ordinal)));
        Assert.Equal(2, keys.Count(k => k.EndsWith(".jsonl.gz", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Events 0-29 from a plain writer, merged by a gzip compaction; 30-89 from a zstd and a gzip writer, all merged by
    /// a zstd compaction (the gzip merge stays stored, superseded); then 90-149 from the three writers, two batches each (10 events a batch).
    /// A shared fake clock a second an event puts the log's order in <c>seq</c> order.
    /// </summary>
    private async Task WriteMixedLogAsync()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromDays(1));
        var store = new FileSystemObjectStore(StorePath);
        AppendLog Open(LogCompression compression) => new(store, "events", new AppendLogOptions
        {
            FlushThreshold = 10,
            FlushInterval = Timeout.InfiniteTimeSpan,
            TimeProvider = clock,
            StoreTimeProvider = clock,
            SupersededGracePeriod = TimeSpan.FromDays(30),
            Compression = compression,
        });

        int seq = 0;
        async Task WriteAsync(LogCompression compression, string writer, int count)
        {
            await using AppendLog log = Open(compression);
            for (int end = seq + count; seq < end; seq++)
            {
                await log.AppendAsync(E(JsonSerializer.Serialize(new { seq, w = writer, msg = $"event {seq}" })));
                clock.Advance(TimeSpan.FromSeconds(1));
            }
        }

        async Task CompactAsync(LogCompression compression)
        {
            await using AppendLog log = Open(compression);
            Assert.NotNull((await log.CompactAsync()).NewKey);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        await WriteAsync(LogCompression.None, "A", 30);
        await CompactAsync(LogCompression.Gzip);
        await WriteAsync(LogCompression.Zstd, "B", 30);
        await WriteAsync(LogCompression.Gzip, "C", 30);
        await CompactAsync(LogCompression.Zstd);
        await WriteAsync(LogCompression.None, "A", 20);
        await WriteAsync(LogCompression.Zstd, "B", 20);
        await WriteAsync(LogCompression.Gzip, "C", 20);
        Assert.Equal(Events, seq);
    }

    private static Event Expected(int seq) => new(seq, seq switch { < 30 => "A", < 60 => "B", < 90 => "C", < 110 => "A", < 130 => "B", _ => "C" }, $"event {seq}");

    /// <summary>The log's stored data objects, batches and merged ones, live or not; manifests and markers are not data.</summary>
    private string[] DataObjects()
    {
        string[] data = [.. Directory.GetFiles(LogPath).Where(p => p.EndsWith(".jsonl", StringComparison.Ordinal) || p.EndsWith(".jsonl.zst", StringComparison.Ordinal) || p.EndsWith(".jsonl.gz", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        Assert.NotEmpty(data);
        return data;
    }

    /// <summary>A data object's JSON Lines as Debian's tools decode it: <c>zstdcat</c> for <c>.zst</c>, <c>zcat</c> for <c>.gz</c>, the bytes themselves for plain <c>.jsonl</c>.</summary>
    private static async Task<string> DecodeAsync(string path)
    {
        if (path.EndsWith(".jsonl", StringComparison.Ordinal))
        {
            return await File.ReadAllTextAsync(path);
        }

        string tool = path.EndsWith(".zst", StringComparison.Ordinal) ? "zstdcat" : "zcat";
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(path);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"{tool} could not be started ({e.Message}): install Debian's {(tool == "zstdcat" ? "zstd" : "gzip")} package (tests/servers/install.sh does, as root)");
            throw;
        }

        using (process)
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"{tool} {path} exited {process.ExitCode}: {await error}");
            return await output;
        }
    }

    private async Task<List<Event>> CatAsync()
    {
        (int code, string cat, string error) = await RunAsync("cat");
        Assert.True(code == 0, error);
        List<Event> events = [.. cat.TrimEnd('\n').Split('\n').Select(Parse)];
        Assert.Equal(Events, events.Count);
        Assert.Equal(events.OrderBy(e => e.Seq), events); // cat's order is seq order
        return events;
    }

    private static List<Event> Rows(DuckDBConnection duckdb, string query)
    {
        using DuckDBCommand command = duckdb.CreateCommand();
        command.CommandText = query;
        using var reader = command.ExecuteReader();
        var rows = new List<Event>();
        while (reader.Read())
        {
            rows.Add(new(Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), reader.GetString(1), reader.GetString(2)));
        }

        return rows;
    }

    private static Event Parse(string line)
    {
        using JsonDocument e = JsonDocument.Parse(line);
        return new(e.RootElement.GetProperty("seq").GetInt64(), e.RootElement.GetProperty("w").GetString()!, e.RootElement.GetProperty("msg").GetString()!);
    }

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => Objlog.RunAsync(_dir.Path, args, null);

    private sealed record Event(long Seq, string W, string Msg);
}
