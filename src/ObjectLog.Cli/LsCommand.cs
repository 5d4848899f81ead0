using System.CommandLine;
using System.Globalization;
using ObjectLog.Storage;
using Spectre.Console;

namespace ObjectLog.Cli;

/// <summary><c>objlog ls</c>: lists the objects under a log's prefix with their sizes, kinds and states.</summary>
internal static class LsCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object a line: key, bytes, kind, modified, state." };
        var command = new Command("ls", "List the objects under a log's prefix with their sizes, what they are (a named consumer's state is kind consumer) and their state: live (read, or a consumer's, kept), superseded, uncommitted or garbage (a table on a terminal, tab-separated lines otherwise).") { json };
        command.SetAction((result, ct) => ObjlogCommand.Run(result, async (location, ct) =>
        {
            string prefix = location.LogPrefix + "/";
            IReadOnlyList<StoredObject>? stored = null;
            await using (var log = new AppendLog(location.Store, location.LogPrefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan }))
            {
                try
                {
                    stored = await log.ListStoredObjectsAsync(ct);
                }
                catch (CorruptObjectException e)
                {
                    // Listing is how one finds the damage: list without states rather than fail.
                    await Console.Error.WriteLineAsync($"objlog: {e.Message}; the objects' states are unknown ('objlog verify' lists every damaged object)");
                }
            }

            List<ObjectMeta> objects = stored is null ? await location.Store.ListSortedAsync(prefix, null, ct) : [.. stored.Select(o => o.Meta)];
            Dictionary<string, StoredObjectState>? states = stored?.ToDictionary(o => o.Meta.Key, o => o.State, StringComparer.Ordinal);
            IReadOnlyList<(string Key, string What)> special = ObjlogCommand.SpecialEntries(location, prefix);
            string State(ObjectMeta? meta) => meta is null ? "foreign"
                : ConsumersCommand.IsStateObject(meta.Key[prefix.Length..]) ? "live" // a consumer's checkpoint and lease: kept, and never read as the log's
                : (states is null ? "unknown" : states.TryGetValue(meta.Key, out StoredObjectState state) ? state.ToString().ToLowerInvariant() : "unknown");

            // Objects and the entries that are not the log's (a folder's links, FIFOs…), in one key order.
            var rows = objects.Select(meta => (meta.Key, Meta: (ObjectMeta?)meta, What: (string?)null))
                .Concat(special.Select(e => (e.Key, Meta: (ObjectMeta?)null, What: (string?)e.What)))
                .OrderBy(r => r.Key, StringComparer.Ordinal)
                .ToList();
            if (result.GetValue(json) || !OutputMode.IsTerminal)
            {
                foreach ((string key, ObjectMeta? meta, string? what) in rows)
                {
                    string? modified = meta?.LastModified.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                    Console.WriteLine(result.GetValue(json)
                        ? System.Text.Json.JsonSerializer.Serialize(meta is not null ? new ListedObject(key, meta.Size, Kind(prefix, meta), modified, State(meta)) : new ListedObject(key, null, "foreign", null, State(null), what), CliJson.Default.ListedObject)
                        : meta is not null ? Invariant($"{key}\t{meta.Size}\t{Kind(prefix, meta)}\t{modified}\t{State(meta)}") : $"{key}\t-\t{NotTheLogs(what!)}\t-\t{State(null)}");
                }

                return 0;
            }

            // Names under the prefix (said once, below), shortened to what the terminal leaves them: never wrapped.
            var cells = rows.Select(r => (
                    Name: r.Key[prefix.Length..],
                    Bytes: r.Meta?.Size.ToString("N0", CultureInfo.InvariantCulture) ?? "-",
                    Kind: r.Meta is not null ? Kind(prefix, r.Meta) : NotTheLogs(r.What!),
                    State: State(r.Meta),
                    Modified: r.Meta?.LastModified.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? ""))
                .ToList();
            int others = new[] { cells.Max(c => (int?)c.Bytes.Length) ?? 0, "bytes".Length }.Max()
                + new[] { cells.Max(c => (int?)c.Kind.Length) ?? 0, "kind".Length }.Max()
                + new[] { cells.Max(c => (int?)c.State.Length) ?? 0, "state".Length }.Max()
                + "yyyy-MM-dd HH:mm:ss".Length;
            int nameWidth = Math.Max(ShortName.MinWidth, OutputMode.Width - others - TableOverhead(columns: 5));
            var table = new Table()
                .AddColumn(new TableColumn("name").NoWrap())
                .AddColumn(new TableColumn("bytes").RightAligned())
                .AddColumn("kind")
                .AddColumn("state")
                .AddColumn("modified (UTC)");
            int[] shared = ShortName.SharedStarts([.. cells.Select(c => c.Name)]);
            foreach (((string name, string bytes, string kind, string state, string modified), int skip) in cells.Zip(shared))
            {
                table.AddRow(new Text(ShortName.Fit(name, nameWidth, skip)) { Overflow = Overflow.Ellipsis }, new Text(bytes), new Text(kind), new Text(state), new Text(modified));
            }

            AnsiConsole.Write(table);
            string notTheLogs = special.Count == 0 ? "" : $", and {special.Count} entries that are not the log's (not regular files: never read)";
            AnsiConsole.MarkupLine($"{objects.Count} objects, {objects.Sum(o => o.Size).ToString("N0", CultureInfo.InvariantCulture)} bytes under [blue]{Markup.Escape(prefix)}[/]{Markup.Escape(notTheLogs)}");
            return 0;
        }, ct, readOnly: true));
        return command;
    }

    /// <summary>The characters a table with square borders spends besides its cells: a border and two spaces a column, and the last border.</summary>
    private static int TableOverhead(int columns) => (3 * columns) + 1;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string NotTheLogs(string what) => $"not the log's ({what})";

    private static string Kind(string prefix, ObjectMeta meta)
        => ConsumersCommand.IsStateObject(meta.Key[prefix.Length..]) ? "consumer" : StoredObject.KindOf(meta.Key[prefix.Length..]).ToString().ToLowerInvariant();
}
