using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace ObjectLog.Cli;

/// <summary>
/// <c>objlog files</c>: the objects, and where only part of one is live its byte range, that a reader reads now
/// (<see cref="AppendLog.ListLiveObjectsAsync"/>), so a tool reading the store directly reads each event once where
/// a glob over the prefix would also read uncommitted merges and superseded objects.
/// </summary>
internal static class FilesCommand
{
    private const string Lines = "lines";
    private const string Json = "json";
    private const string DuckDb = "duckdb";

    public static Command Create()
    {
        var format = new Option<string>("--format")
        {
            Description = "lines: a table on a terminal; piped, a key a line (KEY<tab>bytes=FIRST-LAST where only that part is live). json: one object a line. duckdb: the list of paths or URLs for DuckDB's read_json_auto([...]) (refused, exit 1, if any object is only partly live: run 'objlog compact' first).",
            DefaultValueFactory = _ => Lines,
        };
        format.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is var value && value is not (Lines or Json or DuckDb))
            {
                result.AddError($"--format: '{value}' is not one of {Lines}, {Json}, {DuckDb}.");
            }
        });
        var json = new Option<bool>("--json") { Description = "The same as --format json." };
        var command = new Command("files", "List the objects (and byte ranges) a reader reads now, for tools that read the store directly, such as DuckDB.") { format, json };
        command.Validators.Add(result =>
        {
            if (result.GetValue(json) && result.GetResult(format) is { Implicit: false } && result.GetValue(format) != Json)
            {
                result.AddError($"--json cannot be combined with --format {result.GetValue(format)}.");
            }
        });
        command.SetAction((result, ct) => ObjlogCommand.Run(result, async (location, ct) =>
        {
            string chosen = result.GetValue(json) ? Json : result.GetValue(format)!;
            if (chosen == DuckDb && location.ExternalPathOf(location.LogPrefix) is null)
            {
                throw new ArgumentException("--format duckdb: a memory:// store lives inside this process; no other program can read it.");
            }

            await using var log = new AppendLog(location.Store, location.LogPrefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan });
            IReadOnlyList<LiveObject> live = await log.ListLiveObjectsAsync(ct);
            switch (chosen)
            {
                case DuckDb:
                    Console.WriteLine(DuckDbList(location, live));
                    break;
                case Json:
                    foreach (LiveObject o in live)
                    {
                        var listed = new ListedFile(o.Key, location.ExternalPathOf(o.Key), o.Range?.Offset, o.Range?.Length, o.Bytes, o.Events);
                        Console.WriteLine(JsonSerializer.Serialize(listed, CliJson.Default.ListedFile));
                    }

                    break;
                default:
                    WriteLines(live);
                    break;
            }

            return 0;
        }, ct, readOnly: true));
        return command;
    }

    /// <summary>A DuckDB list literal of the live objects' paths, or why DuckDB cannot be given one.</summary>
    /// <exception cref="InvalidOperationException">An object is only partly live (DuckDB reads whole files), or none is.</exception>
    private static string DuckDbList(StoreLocation location, IReadOnlyList<LiveObject> live)
    {
        List<LiveObject> partial = [.. live.Where(o => o.Range is not null)];
        if (partial.Count > 0)
        {
            string which = string.Join(", ", partial.Select(o => $"{o.Key} (bytes {Span(o)})"));
            throw new InvalidOperationException(
                $"DuckDB reads whole files, but only part of {partial.Count} object(s) is live (trimmed batches, or batches a newer merge holds): {which}. " +
                "Run 'objlog compact' to rewrite them, then run this again; 'objlog cat' reads the log exactly meanwhile.");
        }

        if (live.Count == 0)
        {
            throw new InvalidOperationException("no object of the log is live (everything stored is trimmed, superseded or uncommitted): there is nothing for DuckDB to read.");
        }

        // SQL string literals: a quote is doubled.
        return "[" + string.Join(", ", live.Select(o => "'" + location.ExternalPathOf(o.Key)!.Replace("'", "''", StringComparison.Ordinal) + "'")) + "]";
    }

    private static void WriteLines(IReadOnlyList<LiveObject> live)
    {
        if (!OutputMode.IsTerminal)
        {
            var text = new StringBuilder();
            foreach (LiveObject o in live)
            {
                text.Append(o.Key);
                if (o.Range is not null)
                {
                    text.Append("\tbytes=").Append(Span(o));
                }

                text.Append('\n');
            }

            Console.Out.Write(text.ToString());
            return;
        }

        var table = new Table().AddColumn("key").AddColumn(new TableColumn("bytes").RightAligned()).AddColumn(new TableColumn("events").RightAligned()).AddColumn("live part");
        foreach (LiveObject o in live)
        {
            table.AddRow(Markup.Escape(o.Key), o.Bytes.ToString("N0", CultureInfo.InvariantCulture), o.Events?.ToString("N0", CultureInfo.InvariantCulture) ?? "", o.Range is null ? "all" : Span(o));
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{live.Count} objects, {live.Sum(o => o.Bytes).ToString("N0", CultureInfo.InvariantCulture)} bytes a reader reads");
    }

    /// <summary>The live range as an HTTP range (first and last byte, inclusive), as <c>curl -r</c> and S3's GetObject take it.</summary>
    private static string Span(LiveObject o) => string.Create(CultureInfo.InvariantCulture, $"{o.Range!.Value.Offset}-{o.Range.Value.End - 1}");
}
