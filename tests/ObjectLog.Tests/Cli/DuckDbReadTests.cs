using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Cli;

/// <summary>
/// DuckDB reading a log through <c>objlog files --format duckdb</c> gets exactly <c>objlog cat</c>'s events where a
/// glob over the prefix does not: after a compaction that crashed before its manifest, and while superseded objects
/// wait out their grace period.
/// </summary>
public sealed class DuckDbReadTests : IDisposable
{
    private const int Events = 200;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string StorePath => Path.Combine(_dir.Path, "objectlog-data");

    [Fact]
    public async Task After_a_compaction_that_crashed_before_its_manifest_duckdb_reads_exactly_cats_events()
    {
        var faulty = new FaultInjectingObjectStore(new FileSystemObjectStore(StorePath));
        await using (var log = new AppendLog(faulty, "events", new AppendLogOptions { FlushThreshold = 10, FlushInterval = Timeout.InfiniteTimeSpan }))
        {
            await AppendAsync(log);
            await faulty.CrashCompactionBeforeCommitAsync(log); // merged data and marker written, no commit
        }

        await AssertDuckDbReadsWhatCatReadsAsync(globCount: 2 * Events); // the orphan holds every event again
    }

    [Fact]
    public async Task During_the_superseded_grace_period_duckdb_reads_exactly_cats_events()
    {
        await using (var log = new AppendLog(new FileSystemObjectStore(StorePath), "events", new AppendLogOptions { FlushThreshold = 10, FlushInterval = Timeout.InfiniteTimeSpan, SupersededGracePeriod = TimeSpan.FromHours(1) }))
        {
            await AppendAsync(log);
            await log.CompactAsync(); // committed; the 20 originals stay for the hour
        }

        await AssertDuckDbReadsWhatCatReadsAsync(globCount: 2 * Events);
    }

    private static async Task AppendAsync(AppendLog log)
    {
        for (int i = 0; i < Events; i++)
        {
            await log.AppendAsync(E(string.Create(CultureInfo.InvariantCulture, $"{{\"n\":{i},\"msg\":\"event {i}\"}}")));
        }
    }

    private async Task AssertDuckDbReadsWhatCatReadsAsync(long globCount)
    {
        (int code, string cat, string error) = await Objlog.RunAsync(_dir.Path, ["cat"], null);
        Assert.True(code == 0, error);
        List<(long N, string Msg)> expected = [.. cat.TrimEnd('\n').Split('\n').Select(Parse)];
        Assert.Equal(Events, expected.Count);

        (code, string files, error) = await Objlog.RunAsync(_dir.Path, ["files", "--format", "duckdb"], null);
        Assert.True(code == 0, error);
        string source = files.Trim();

        using var duckdb = new DuckDBConnection("DataSource=:memory:");
        duckdb.Open();
        Assert.Equal(Events, Count(duckdb, $"read_json_auto({source})"));
        Assert.Equal(expected, Rows(duckdb, $"SELECT n, msg FROM read_json_auto({source}) ORDER BY n"));
        Assert.Equal(expected.OrderBy(e => e.N), expected); // and cat's order is the log's

        // What the README used to suggest, and what the finding was about.
        string glob = Path.Combine(StorePath, "events", "*.jsonl*").Replace("'", "''", StringComparison.Ordinal);
        Assert.Equal(globCount, Count(duckdb, $"read_json_auto('{glob}')"));
    }

    private static long Count(DuckDBConnection duckdb, string from)
    {
        using DuckDBCommand command = duckdb.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {from}";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static List<(long N, string Msg)> Rows(DuckDBConnection duckdb, string query)
    {
        using DuckDBCommand command = duckdb.CreateCommand();
        command.CommandText = query;
        using var reader = command.ExecuteReader();
        var rows = new List<(long, string)>();
        while (reader.Read())
        {
            rows.Add((Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), reader.GetString(1)));
        }

        return rows;
    }

    private static (long N, string Msg) Parse(string line)
    {
        using JsonDocument e = JsonDocument.Parse(line);
        return (e.RootElement.GetProperty("n").GetInt64(), e.RootElement.GetProperty("msg").GetString()!);
    }
}
