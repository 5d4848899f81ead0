using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ObjectLog.Internal;
using ObjectLog.Storage;
using Spectre.Console;

namespace ObjectLog.Cli;

/// <summary>The <c>objlog</c> command line: demo, append, cat, tail, ls, files, stats, compact, trim, verify.</summary>
internal static class ObjlogCommand
{
    private static readonly Option<string> StoreOption = new("--store")
    {
        Description = "Where logs live: file://PATH (or a folder path), s3://BUCKET/PREFIX[?endpoint=URL&region=R], az://CONTAINER/PREFIX (AZURE_STORAGE_CONNECTION_STRING).",
        DefaultValueFactory = _ => StoreLocation.DefaultStore,
        Recursive = true,
    };

    /// <summary>No default value in the parser, since help would print that one default under every command: demo's is 'demo' (see <see cref="Run"/>).</summary>
    private static readonly Option<string?> LogOption = new("--log")
    {
        Description = "The log's key prefix within the store (default: events; for demo: demo), or the log's URL (see log-url).",
        Recursive = true,
    };

    /// <summary>
    /// The log as one URL, as the logger provider and the hosting package take it (see <see cref="StoreLocation.ParseLogUrl"/>),
    /// on each command that reads or keeps a log; <c>--log</c> takes the same URL (as on <c>append</c>, whose arguments are events).
    /// </summary>
    private static readonly Argument<string?> LogUrlArgument = CreateLogUrlArgument();

    private static Argument<string?> CreateLogUrlArgument()
    {
        var argument = new Argument<string?>("log-url")
        {
            Description = "The log as a URL, as a logger or a hosted log is given it (file://./objectlog-data/app-logs, s3://BUCKET/PREFIX, az://CONTAINER/PREFIX): instead of --store and --log.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        argument.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } value && value.StartsWith('-'))
            {
                result.AddError($"Unrecognized command or argument '{value}'."); // a mistyped option, not a log
            }
        });
        return argument;
    }

    /// <summary>
    /// Runs <c>objlog</c> with <paramref name="args"/>. Exit codes: 0 success, 1 runtime failure, 2 usage. Help and
    /// the version, when asked for, go to stdout (as the GNU standards say, so <c>objlog help | less</c> works);
    /// errors go to stderr. A parse error prints itself and a one-line hint, not the whole help.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args)
    {
        OutputMode.Configure();
        RootCommand root = Create();
        ParseResult parsed = root.Parse(args);
        if (args.Length > 0 && !args[0].StartsWith('-') && parsed.CommandResult.Command == root)
        {
            return await UnknownCommandAsync(args[0]); // the parser's two messages ("Required command…", "Unrecognized…") say less
        }

        if (parsed.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"objlog: {UserTerms.Of(error.Message)}");
            }

            string command = parsed.CommandResult.Command is RootCommand ? "" : " " + parsed.CommandResult.Command.Name;
            await Console.Error.WriteLineAsync($"Run 'objlog help{command}' for usage.");
            return 2;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = Console.Out, Error = Console.Error });
    }

    private static async Task<int> UnknownCommandAsync(string name)
    {
        await Console.Error.WriteLineAsync($"objlog: '{name}' is not an objlog command.");
        await Console.Error.WriteLineAsync("Run 'objlog help' for the commands.");
        return 2;
    }

    public static RootCommand Create()
    {
        var root = new RootCommand("objlog: a write-once, batched, append-only event log on object storage.");
        root.Options.Add(StoreOption);
        root.Options.Add(LogOption);
        root.Subcommands.Add(Demo());
        root.Subcommands.Add(AppendCommand.Create());
        root.Subcommands.Add(Cat());
        root.Subcommands.Add(Tail());
        root.Subcommands.Add(Ls());
        root.Subcommands.Add(FilesCommand.Create());
        root.Subcommands.Add(Stats());
        root.Subcommands.Add(Compact());
        root.Subcommands.Add(Trim());
        root.Subcommands.Add(Verify());
        root.Subcommands.Add(Help());
        foreach (Command command in root.Subcommands.Where(c => c.Name is not ("demo" or "append" or "help")))
        {
            command.Arguments.Add(LogUrlArgument);
        }

        return root;
    }

    private static Command Demo()
    {
        var count = new Option<int>("--events") { Description = "How many sample events to write.", DefaultValueFactory = _ => 300 };
        var command = new Command("demo", "Write sample JSON events to a log (default 'demo', not 'events'), read them back, compact, and show what happened.") { count };
        Validate(count.Validators, result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                throw new ArgumentException("--events must be at least 1.");
            }
        });
        command.SetAction((result, ct) => Run(result, async (location, ct) =>
        {
            int n = result.GetValue(count);

            string log = location.LogPrefix;
            AnsiConsole.MarkupLine($"[bold]ObjectLog demo[/] in [blue]{Markup.Escape(location.Description)}[/]");

            int before;
            await using (var reader = new AppendLog(location.Store, log))
            {
                before = (await reader.ReadAllAsync(ct)).Count;
            }

            var stopwatch = Stopwatch.StartNew();
            var options = new AppendLogOptions { FlushThreshold = 32 };
            await using (var writer = new AppendLog(location.Store, log, options))
            {
                var random = new Random(42);
                string[] outcomes = ["ok", "ok", "ok", "retry", "error"];
                for (int i = 0; i < n; i++)
                {
                    string json = string.Create(CultureInfo.InvariantCulture, $"{{\"trial\":{before + i},\"outcome\":\"{outcomes[random.Next(outcomes.Length)]}\",\"loss\":{random.NextDouble():F4},\"at\":\"{DateTimeOffset.UtcNow:O}\"}}");
                    await writer.AppendAsync(Encoding.UTF8.GetBytes(json), ct);
                }
            }

            AnsiConsole.MarkupLine($"Appended [green]{n}[/] events in {stopwatch.ElapsedMilliseconds} ms (batches of {options.FlushThreshold}, flushed on dispose).");

            await using var log2 = new AppendLog(location.Store, log);
            int objects = await log2.CountObjectsAsync(ct);
            IReadOnlyList<byte[]> events = await log2.ReadAllAsync(ct);
            AnsiConsole.MarkupLine($"Read back [green]{events.Count}[/] events from [green]{objects}[/] objects ({before} were there before).");
            if (events.Count != before + n)
            {
                throw new InvalidOperationException($"Expected {before + n} events, read {events.Count}.");
            }

            CompactionStats stats = await log2.CompactAsync(ct);
            AnsiConsole.MarkupLine($"Compacted [green]{stats.MergedObjects}[/] objects into one holding [green]{stats.Events}[/] events: [blue]{Markup.Escape(stats.NewKey ?? "(nothing to merge)")}[/]");
            IReadOnlyList<byte[]> after = await log2.ReadAllAsync(ct);
            bool same = after.Count == events.Count && after.Zip(events).All(p => p.First.AsSpan().SequenceEqual(p.Second));
            AnsiConsole.MarkupLine($"After compaction: [green]{await log2.CountObjectsAsync(ct)}[/] object(s), {after.Count} events, {(same ? "[green]identical[/]" : "[red]DIFFERENT[/]")} to before.");
            AnsiConsole.MarkupLine($"Last event: {Markup.Escape(Encoding.UTF8.GetString(after[^1]))}");
            AnsiConsole.MarkupLine($"Try: [grey]objlog cat --log {log} | tail -3[/], [grey]objlog ls --log {log}[/]");
            return same ? 0 : 1;
        }, ct, defaultLog: "demo"));
        return command;
    }

    private static readonly Option<string?> AfterOption = new("--after")
    {
        Description = "Start after this position (as printed by --positions): a consumer's checkpoint.",
    };

    private static readonly Option<string?> SinceOption = new("--since")
    {
        Description = "Start at this time: batches stored with a time at or after it (2026-11-25T10:00:00Z, or a span before the store's time: 30m, 1h, 2d).",
    };

    private static readonly Option<string?> UntilOption = new("--until")
    {
        Description = "Stop before this time (same forms as --since).",
    };

    private static readonly Option<bool> PositionsOption = new("--positions")
    {
        Description = "Print each event's position, a tab, then the event.",
    };

    private static Command Cat()
    {
        var command = new Command("cat", "Write every stored event of a log to standard output, in order, one a line.") { AfterOption, SinceOption, UntilOption, PositionsOption };
        Validate(command.Validators, result => CatRange(result, DateTimeOffset.UtcNow));
        command.SetAction((result, ct) => Run(result, async (location, ct) =>
        {
            await using var log = new AppendLog(location.Store, location.LogPrefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan });
            DateTimeOffset now = await SpanOriginAsync(log, ct, result.GetValue(SinceOption), result.GetValue(UntilOption));
            (LogPosition? after, DateTimeOffset? since, DateTimeOffset? until) = CatRange(result.CommandResult, now);
            await using var output = new EventWriter(result.GetValue(PositionsOption));
            IAsyncEnumerable<LogEvent> events = since is not null || until is not null
                ? log.ReadEventsAsync(since ?? DateTimeOffset.UnixEpoch, until, ct)
                : log.ReadEventsAsync(after, ct);
            await foreach (LogEvent e in events)
            {
                await output.WriteAsync(e, ct);
            }

            return 0;
        }, ct, readOnly: true));
        return command;
    }

    /// <summary>Where <c>cat</c> starts and stops; a span ago counts back from <paramref name="now"/>.</summary>
    /// <exception cref="ArgumentException">A value is malformed, or they contradict each other.</exception>
    private static (LogPosition? After, DateTimeOffset? Since, DateTimeOffset? Until) CatRange(SymbolResult result, DateTimeOffset now)
    {
        LogPosition? after = ParseAfter(result);
        DateTimeOffset? since = result.GetValue(SinceOption) is { } s ? TimeArgument.ParseTime(s, now, "--since") : null;
        DateTimeOffset? until = result.GetValue(UntilOption) is { } u ? TimeArgument.ParseTime(u, now, "--until") : null;
        if (after is not null && (since is not null || until is not null))
        {
            throw new ArgumentException("--after cannot be combined with --since or --until.");
        }

        if (until < since)
        {
            throw new ArgumentException($"--until ({until:O}) is before --since ({since:O}).");
        }

        return (after, since, until);
    }

    private static Command Tail()
    {
        var lines = new Option<int>("--lines", "-n") { Description = "How many of the latest events to print first (ignored with --after and --since).", DefaultValueFactory = _ => 10 };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events as writers store them, until interrupted." };
        var interval = new Option<double>("--interval") { Description = "Seconds between checks for new events when following.", DefaultValueFactory = _ => 1.0 };
        var command = new Command("tail", "Print the latest events of a log; with --follow, keep printing new ones.") { lines, follow, interval, AfterOption, SinceOption, PositionsOption };
        // Option validators, not the command's: a command validator runs before defaults are filled in.
        Validate(lines.Validators, result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                throw new ArgumentException("--lines must be 0 or more.");
            }
        });
        Validate(interval.Validators, result =>
        {
            if (!(result.GetValueOrDefault<double>() > 0))
            {
                throw new ArgumentException("--interval must be more than 0 seconds.");
            }
        });
        Validate(command.Validators, result =>
        {
            LogPosition? after = ParseAfter(result);
            DateTimeOffset? since = result.GetValue(SinceOption) is { } s ? TimeArgument.ParseTime(s, DateTimeOffset.UtcNow, "--since") : null;
            if (after is not null && since is not null)
            {
                throw new ArgumentException("--after cannot be combined with --since.");
            }
        });
        command.SetAction((result, ct) => Run(result, async (location, ct) =>
        {
            int n = result.GetValue(lines);
            double seconds = result.GetValue(interval);

            var options = new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan, TailPollInterval = TimeSpan.FromSeconds(seconds) };
            await using var log = new AppendLog(location.Store, location.LogPrefix, options);
            await using var output = new EventWriter(result.GetValue(PositionsOption));
            LogPosition? after = ParseAfter(result.CommandResult);
            var read = new RecentBatches(options.TailLookBack + TimeSpan.FromMinutes(1)); // what the first pass listed, as far back as a tail looks
            if (result.GetValue(SinceOption) is { } since)
            {
                after = TailStart(TimeArgument.ParseTime(since, await SpanOriginAsync(log, ct, since), "--since"));
                if (!result.GetValue(follow))
                {
                    await foreach (LogEvent e in log.ReadEventsAsync(after, ct))
                    {
                        await output.WriteAsync(e, ct);
                    }
                }
            }
            else if (after is null)
            {
                // Read from the newest objects back, as far as n events need; following, name the batches listed
                // within the tail's look-back too, so it does not print the older ones as new.
                LastEvents last = await log.ReadLastAsync(n, result.GetValue(follow) ? read.Window : null, ct);
                foreach (string batch in last.RecentBatches)
                {
                    read.Add(batch);
                }

                foreach (LogEvent e in last.Events)
                {
                    await output.WriteAsync(e, ct);
                    after = e.Position;
                }

                if (after is null && last.RecentBatches.Count > 0)
                {
                    after = new LogPosition(last.RecentBatches[^1], 0); // -n 0: follow from the newest batch, which it skips
                }
            }
            else if (!result.GetValue(follow))
            {
                await foreach (LogEvent e in log.ReadEventsAsync(after, ct))
                {
                    await output.WriteAsync(e, ct);
                }
            }

            if (result.GetValue(follow))
            {
                await output.FlushAsync(ct);
                try
                {
                    await foreach (LogEvent e in log.TailAsync(after, ct))
                    {
                        if (read.Contains(e.Position))
                        {
                            continue; // the tail resumes at least once: it looks back over what the first pass listed
                        }

                        await output.WriteAsync(e, ct);
                        await output.FlushAsync(ct);
                    }
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    // interrupted: the normal way to stop following
                }
            }

            return 0;
        }, ct, readOnly: true, waitsForEvents: result.GetValue(follow)));
        return command;
    }

    /// <summary>The <c>--after</c> position, checked in full (a batch name's digits and time too), so a bad one is a usage error before the store is opened.</summary>
    /// <exception cref="ArgumentException">It is not a position; the message says why.</exception>
    private static LogPosition? ParseAfter(SymbolResult result)
        => result.GetValue(AfterOption) is { } text
            ? LogPosition.TryParse(text, out LogPosition p) ? p : throw new ArgumentException($"--after: '{text}' is not a position (as printed by --positions: BATCH:LINE): {LogPosition.WhyNot(text)}.")
            : null;

    /// <summary>
    /// What a span ago (<c>--since 30m</c>) counts back from: the store's time, the clock every writer's batch names
    /// are held to, so a machine whose clock is off reads the same events as one whose clock is right. It is read only
    /// when a span was given (a time needs no clock).
    /// </summary>
    private static async ValueTask<DateTimeOffset> SpanOriginAsync(AppendLog log, CancellationToken cancellationToken, params string?[] values)
        => values.Any(v => v is not null && TimeArgument.IsSpan(v)) ? await log.StoreTimeAsync(cancellationToken) : DateTimeOffset.UtcNow;

    /// <summary>
    /// Where <c>tail --since</c> starts: just before <paramref name="since"/>, or at the start of the log when that
    /// is at or before the first microsecond of 1970 (no batch is earlier), as <c>cat --since</c> does.
    /// </summary>
    private static LogPosition? TailStart(DateTimeOffset since)
        => LogObjectName.Microseconds(since) >= 1 ? LogPosition.Before(since) : null;

    private static Command Ls()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object a line: key, bytes, kind, modified, state." };
        var command = new Command("ls", "List the objects under a log's prefix with their sizes, what they are and their state: live (read), superseded, uncommitted or garbage (a table on a terminal, tab-separated lines otherwise).") { json };
        command.SetAction((result, ct) => Run(result, async (location, ct) =>
        {
            string prefix = location.LogPrefix + "/";
            LogCensus? census = null;
            await using (var log = new AppendLog(location.Store, location.LogPrefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan }))
            {
                try
                {
                    census = await log.TakeCensusAsync(ct);
                }
                catch (CorruptObjectException e)
                {
                    // Listing is how one finds the damage: list without states rather than fail.
                    await Console.Error.WriteLineAsync($"objlog: {e.Message}; the objects' states are unknown ('objlog verify' lists every damaged object)");
                }
            }

            List<ObjectMeta> objects = census is null ? await location.Store.ListSortedAsync(prefix, null, ct) : [.. census.Entries.Select(e => e.Meta)];
            IReadOnlyList<(string Key, string What)> special = SpecialEntries(location, prefix);
            string State(ObjectMeta? meta) => meta is null ? "foreign" : census?.StateOf(meta.Key)?.ToString().ToLowerInvariant() ?? "unknown";

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

    /// <summary>On a folder store, what is under <paramref name="prefix"/> that is not a regular file (links, FIFOs…), which the log never reads; none elsewhere.</summary>
    private static IReadOnlyList<(string Key, string What)> SpecialEntries(StoreLocation location, string prefix)
        => location.Store is FileSystemObjectStore folder ? folder.FindSpecialEntries(prefix) : [];

    private static string NotTheLogs(string what) => $"not the log's ({what})";

    private static string Kind(string prefix, ObjectMeta meta)
        => LogInventory.Classify(prefix, meta)?.Kind.ToString().ToLowerInvariant() ?? "foreign";

    private static Command Stats()
    {
        var price = new Option<string?>("--price") { Description = "Prices to use instead of S3 Standard's list prices: dollars per 1,000 requests (put, get, list) or per GB-month (storage), e.g. put=0.005,get=0.0004,list=0.005,storage=0.023." };
        var json = new Option<bool>("--json") { Description = "Print the stats as JSON (snake_case field names, as docs/stats.md lists them)." };
        var command = new Command("stats", "Count a log's objects, bytes and events, the requests this took, and estimate what the log costs a month.") { price, json };
        Validate(command.Validators, result => PriceTable.Parse(result.GetValue(price)));
        command.SetAction((result, ct) => Run(result, async (location, ct) =>
        {
            PriceTable prices = PriceTable.Parse(result.GetValue(price));
            LogStats stats = await LogStats.GatherAsync(location.Store, location.LogPrefix, prices, DateTimeOffset.UtcNow, ct);
            if (result.GetValue(json))
            {
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(stats, LogStatsJson.Default.LogStats));
                return 0;
            }

            ObjectCounts o = stats.Objects;
            RequestCounts r = stats.Requests;
            CostEstimate c = stats.Cost;
            Console.WriteLine(Invariant($"{location.Description}"));
            Console.WriteLine(Invariant($"objects:  {o.Total:N0} ({o.Bytes:N0} bytes): {o.BatchObjects + o.MergedObjects:N0} live ({o.BatchObjects:N0} batch, {o.MergedObjects:N0} merged) and {o.Other:N0} manifests/markers/trim records in use; {o.Superseded:N0} superseded, {o.Uncommitted:N0} uncommitted, {o.Garbage:N0} garbage; {o.Foreign:N0} not ObjectLog's"));
            Console.WriteLine(Invariant($"events:   {stats.Events:N0} ({stats.EventBytes:N0} bytes) in {stats.Batches:N0} batches"));
            Console.WriteLine(stats.FirstBatchTime is { } first && stats.LastBatchTime is { } last
                ? Invariant($"time:     {first:O} to {last:O} ({last - first:g})")
                : "time:     (empty log)");
            Console.WriteLine(Invariant($"requests: this command made {r.Put:N0} PUT, {r.Get:N0} GET, {r.List:N0} LIST (pages), {r.Delete:N0} DELETE; {r.BytesReceived:N0} bytes received"));
            Console.WriteLine(Invariant($"cost at PUT ${c.Prices.Put}, GET ${c.Prices.Get}, LIST ${c.Prices.List} per 1,000 requests, storage ${c.Prices.Storage} per GB-month:"));
            Console.WriteLine(Invariant($"  writes:        {c.BatchesPerHour:0.##} batches/hour (over the last {TimeSpan.FromSeconds(c.RateWindowSeconds):g}) = {c.PutsPerMonth:N0} PUTs/month: ${c.PutDollarsPerMonth:0.00####}/month"));
            Console.WriteLine(Invariant($"  storage:       {c.StorageGb:0.######} GB: ${c.StorageDollarsPerMonth:0.00####}/month"));
            Console.WriteLine(Invariant($"  total:         ${c.DollarsPerMonth:0.00####}/month, plus reads"));
            Console.WriteLine(Invariant($"  one full read: {c.FullReadGets:N0} GET, {c.FullReadListPages:N0} LIST: ${c.FullReadDollars:0.00######}"));
            return 0;
        }, ct, readOnly: true));
        return command;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static Command Compact()
    {
        var command = new Command("compact", "Merge a log's objects into one; readers see the same events throughout. Also deletes what earlier compactions left once past its grace period.") { GraceOptions.AbandonedMerge, GraceOptions.Superseded };
        command.SetAction((result, ct) => Run(result, async (location, ct) =>
        {
            await using var log = new AppendLog(location.Store, location.LogPrefix, GraceOptions.Apply(result, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan }));
            CompactionStats stats = await StderrProgress.RunAsync($"compacting {Markup.Escape(location.Description)}", () => log.CompactAsync(ct));
            Console.WriteLine(stats.NewKey is null
                ? $"nothing to merge: the log is {stats.MergedObjects} object(s); deleted {stats.DeletedObjects} superseded or abandoned object(s)"
                : $"merged {stats.MergedObjects} objects ({stats.Events} events) into {stats.NewKey}; deleted {stats.DeletedObjects} object(s)");
            return await ReportDeleteFailuresAsync(stats.DeleteFailures) ? 1 : 0;
        }, ct));
        return command;
    }

    private static Command Trim()
    {
        var before = new Option<string?>("--before") { Description = "Remove every batch older than this time (2026-11-01T00:00:00Z, or a span ago: 30d)." };
        var keep = new Option<string?>("--keep") { Description = "Keep this much of the log, remove the rest (a span: 12h, 30d, 8w)." };
        var command = new Command("trim", "Remove a log's old batches (whole batches, by the time in their names, stored before the trim); readers see the trimmed log at once. Spans count back from the store's clock, not this machine's.") { before, keep };
        DateTimeOffset Cutoff(SymbolResult result, DateTimeOffset now) => (result.GetValue(before), result.GetValue(keep)) switch
        {
            ({ } b, null) => TimeArgument.ParseTime(b, now, "--before"),
            (null, { } k) => now - TimeArgument.ParseSpan(k, "--keep"),
            _ => throw new ArgumentException("Give exactly one of --before and --keep."),
        };

        Validate(command.Validators, result => Cutoff(result, DateTimeOffset.UtcNow)); // the form only: the time is checked against the store's
        command.SetAction((result, ct) => Run(result, async (location, ct) =>
        {
            await using var log = new AppendLog(location.Store, location.LogPrefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan });
            DateTimeOffset cutoff = Cutoff(result.CommandResult, await log.StoreTimeAsync(ct));
            TrimStats stats = await log.TrimAsync(cutoff, ct);
            string still = stats.MergedObjectsHoldingTrimmed == 0 ? "" : $" ({stats.MergedObjectsHoldingTrimmed} merged object(s) still hold trimmed bytes, which readers skip: the next compaction rewrites them)";
            Console.WriteLine($"trimmed before {stats.Before:O}: hid {stats.HiddenEvents} event(s) in {stats.HiddenBatches} batch(es) from readers; deleted {stats.DeletedObjects} object(s){still}");
            return await ReportDeleteFailuresAsync(stats.DeleteFailures) ? 1 : 0;
        }, ct));
        return command;
    }

    private static Command Help()
    {
        var name = new Argument<string?>("command") { Description = "The command to describe.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("help", "Show help for objlog or one of its commands.") { name };
        command.SetAction((result, ct) =>
        {
            string? n = result.GetValue(name);
            if (n is not null && !Create().Subcommands.Any(c => c.Name == n))
            {
                return UnknownCommandAsync(n);
            }

            return InvokeAsync(n is null ? ["--help"] : [n, "--help"]);
        });
        return command;
    }

    private static Command Verify()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as one JSON object (snake_case)." };
        var repair = new Option<bool>("--repair") { Description = "First delete what compaction would collect: merged data never committed and older than --abandoned-merge-grace, objects superseded longer than --superseded-grace; and write missing end markers. Never deletes what a reader reads." };
        var command = new Command("verify", "Check every object of a log and read it whole; report problems (exit 1). Changes nothing unless --repair.") { json, repair, GraceOptions.AbandonedMerge, GraceOptions.Superseded };
        command.Validators.Add(result =>
        {
            foreach (Option grace in new Option[] { GraceOptions.AbandonedMerge, GraceOptions.Superseded })
            {
                if (!result.GetValue(repair) && result.GetResult(grace) is { Implicit: false })
                {
                    result.AddError($"{grace.Name} applies only with --repair (verify alone changes nothing).");
                }
            }
        });
        command.SetAction((result, ct) => Run(result, async (location, ct) =>
        {
            await using var log = new AppendLog(location.Store, location.LogPrefix, GraceOptions.Apply(result, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan }));
            // A repair that cannot write (a missing end marker on a read-only store) throws, and the command exits 1
            // with the error; one that cannot delete reports each object it left, and the command exits 1 after the report.
            CompactionStats? repaired = result.GetValue(repair) ? await StderrProgress.RunAsync("repairing", () => log.CompactAsync(CompactionPolicy.Nothing, ct)) : null;
            VerifyReport r = await StderrProgress.RunAsync($"verifying {Markup.Escape(location.Description)}", () => log.VerifyAsync(ct));
            IReadOnlyList<string> staleSpill = SpillFile.FindStale();
            bool leftGarbage = await ReportDeleteFailuresAsync(repaired?.DeleteFailures ?? []);
            int exitCode = r.IsSound && !leftGarbage && r.NotJsonEvents == 0 ? 0 : 1;
            if (result.GetValue(json))
            {
                var report = new VerifyJson(r.IsSound, r.Events, r.Bytes, r.BatchObjects, r.MergedObjects, r.UncommittedMerges, r.ForeignObjects, [.. r.Problems.Select(p => p.Message)], r.StaleStagedFiles, r.UnverifiedObjects, repaired?.DeletedObjects, repaired?.DeleteFailures, staleSpill, [.. r.SpecialEntries.Select(e => new ListedSpecialEntry(e.Key, e.What))], r.LiveObjects, r.SupersededObjects, r.GarbageObjects, r.NotJsonEvents, [.. r.NotJsonEventProblems.Select(p => p.Message)]);
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(report, CliJson.Default.VerifyJson));
                return exitCode;
            }

            if (repaired is not null)
            {
                string failed = repaired.DeleteFailures.Count == 0 ? "" : $"; could not delete {repaired.DeleteFailures.Count} (listed on stderr)";
                Console.WriteLine($"repair: deleted {repaired.DeletedObjects} object(s){failed} (uncommitted merges older than {result.GetValue(GraceOptions.AbandonedMerge)}, objects superseded longer than {result.GetValue(GraceOptions.Superseded)}, what they left behind)");
            }

            Console.WriteLine($"{location.Description}: {r.LiveObjects} live objects, {r.SupersededObjects} superseded, {r.UncommittedMerges} uncommitted merges, {r.GarbageObjects} garbage, {r.ForeignObjects} other objects (ignored); checked {r.BatchObjects} batch objects, {r.MergedObjects} merged objects");
            foreach ((string key, string what) in r.SpecialEntries)
            {
                Console.WriteLine($"not the log's ({what}, never {(what == "symbolic link" ? "followed" : "opened")}): {key}");
            }

            foreach (VerifyProblem problem in r.Problems)
            {
                Console.WriteLine($"problem: {problem.Message}");
            }

            foreach (string staged in r.StaleStagedFiles)
            {
                Console.WriteLine($"stale staged file (a writer died mid-put; the next put removes it): {staged}");
            }

            foreach (string spill in staleSpill)
            {
                Console.WriteLine($"stale spill file (a compaction died mid-merge; the next compaction that spills to disk deletes it): {spill}");
            }

            foreach (string key in r.UnverifiedObjects)
            {
                Console.WriteLine($"unverified (no checksum: written before checksums or by another tool; compact rewrites it with one): {key}");
            }

            ReportNotJson(r);
            Console.WriteLine(r.IsSound ? $"ok: {r.Events} events, {r.Bytes} bytes, each once and in order" : $"{r.Problems.Count} problem(s)");
            return exitCode;
        }, ct, readOnly: true));
        return command;
    }

    /// <summary>Prints the stored events that JSON Lines readers refuse, which make <c>verify</c> exit 1 though the log is sound.</summary>
    private static void ReportNotJson(VerifyReport r)
    {
        foreach (VerifyProblem problem in r.NotJsonEventProblems)
        {
            Console.WriteLine($"not JSON Lines: {problem.Message}");
        }

        if (r.NotJsonEvents > 0)
        {
            string more = r.NotJsonEvents > r.NotJsonEventProblems.Count ? $" ({r.NotJsonEvents - r.NotJsonEventProblems.Count} not listed)" : "";
            Console.WriteLine($"{r.NotJsonEvents} event(s) that JSON Lines readers refuse{more}: stored with 'append --raw' or by another writer. objlog reads them back as stored; DuckDB, Spark and Python's json do not.");
        }
    }

    /// <summary>The most objects a command lists by name that it could not delete; a count stands for the rest.</summary>
    private const int DeleteFailuresShown = 20;

    /// <summary>
    /// Prints to stderr each object that a compaction, trim or repair meant to delete but could not, with the store's
    /// reason; returns whether there was one, for the command to exit 1. Garbage left behind harms no reader, but a
    /// store that refuses deletes keeps growing, so it is never silent.
    /// </summary>
    private static async Task<bool> ReportDeleteFailuresAsync(IReadOnlyList<DeleteFailure> failures)
    {
        if (failures.Count == 0)
        {
            return false;
        }

        await Console.Error.WriteLineAsync($"objlog: could not delete {failures.Count} object(s); readers do not see them, and the next compaction or trim tries again:");
        foreach (DeleteFailure failure in failures.Take(DeleteFailuresShown))
        {
            await Console.Error.WriteLineAsync($"objlog:   {failure.Key}: {failure.Reason}");
        }

        if (failures.Count > DeleteFailuresShown)
        {
            await Console.Error.WriteLineAsync($"objlog:   and {failures.Count - DeleteFailuresShown} more");
        }

        return true;
    }

    /// <summary>
    /// Checks a command's values while parsing, so a bad one is a usage error (exit 2, with the usual hint) found
    /// before the store is opened, even where the store is missing too: what <paramref name="check"/> throws as an
    /// <see cref="ArgumentException"/> becomes a parse error.
    /// </summary>
    internal static void Validate<T>(List<Action<T>> validators, Action<T> check)
        where T : SymbolResult
        => validators.Add(result =>
        {
            try
            {
                check(result);
            }
            catch (ArgumentException e)
            {
                result.AddError(UserTerms.Of(e));
            }
            catch (InvalidOperationException)
            {
                // A value that did not convert (--events many): the parser reports that one itself.
            }
        });

    private static async Task<bool> HasObjectsAsync(StoreLocation location, CancellationToken cancellationToken)
    {
        await foreach (ObjectMeta _ in location.Store.ListAsync(location.LogPrefix + "/", null, cancellationToken))
        {
            return true; // the first page answers
        }

        // A folder's links, FIFOs… are stored too, as foreign objects are: ls and verify show them.
        return SpecialEntries(location, location.LogPrefix + "/").Count > 0;
    }

    /// <summary>The log URL the command was given, as its argument or as <c>--log</c>, if any.</summary>
    private static string? LogUrl(ParseResult result)
        => result.GetResult(LogUrlArgument)?.GetValueOrDefault<string?>()
            ?? (result.GetValue(LogOption) is { } log && log.Contains("://", StringComparison.Ordinal) ? log : null);

    /// <summary>Where the command's log is: a log URL, or <c>--store</c> and <c>--log</c>.</summary>
    /// <exception cref="ArgumentException">Both were given, or a value is malformed.</exception>
    private static StoreLocation Locate(ParseResult result, string? defaultLog, bool readOnly)
    {
        if (LogUrl(result) is not { } url)
        {
            return StoreLocation.Parse(result.GetValue(StoreOption)!, result.GetValue(LogOption) ?? defaultLog ?? "events", mustExist: readOnly);
        }

        bool positional = url != result.GetValue(LogOption);
        if (result.GetResult(StoreOption) is { Implicit: false } || (positional && result.GetValue(LogOption) is not null))
        {
            throw new ArgumentException($"'{url}' names the log: give it as a URL or with --store and --log, not both.");
        }

        return StoreLocation.ParseLogUrl(url, mustExist: readOnly);
    }

    /// <summary>Opens the command's store and log, runs <paramref name="action"/>, and turns the errors a user can act on into a message and an exit code (2 usage, 1 runtime).</summary>
    /// <param name="waitsForEvents">The command waits for events (<c>tail -f</c>): an empty log is one to wait on, not an error.</param>
    internal static async Task<int> Run(ParseResult result, Func<StoreLocation, CancellationToken, Task<int>> action, CancellationToken cancellationToken, string? defaultLog = null, bool readOnly = false, bool waitsForEvents = false)
    {
        try
        {
            using StoreLocation location = Locate(result, defaultLog, readOnly);
            bool empty = readOnly && !await HasObjectsAsync(location, cancellationToken);
            if (empty && waitsForEvents)
            {
                await Console.Error.WriteLineAsync($"objlog: nothing is stored in {location.Description} yet; waiting for events (Ctrl+C to stop).");
            }
            else if (empty)
            {
                // An empty answer to a mistyped --log would look like an empty log: say so instead, and where --store
                // may be the log itself (a logger's URL), what to type.
                // Only a URL with no secret is repeated: an az:// query may hold a connection string (s3:// takes its keys from the environment).
                string store = result.GetValue(StoreOption)!;
                bool mayHoldSecret = store.Contains('?', StringComparison.Ordinal) && !store.StartsWith("s3://", StringComparison.OrdinalIgnoreCase);
                string hint = result.GetResult(StoreOption) is { Implicit: false } && result.GetValue(LogOption) is null && LogUrl(result) is null && !mayHoldSecret
                    ? $" If {store} is the log itself (the URL a logger or a hosted log is given), run: objlog {result.CommandResult.Command.Name} {store}"
                    : "";
                throw new IOException($"nothing is stored in {location.Description}: no such log, or it is empty.{hint}");
            }

            return await action(location, cancellationToken);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"objlog: {UserTerms.Of(e)}");
            return 2;
        }
        catch (CorruptObjectException e)
        {
            // Every read stops at a damaged object, and nothing ObjectLog does deletes one: say what the user can do.
            await Console.Error.WriteLineAsync($"objlog: {e.Message}");
            await Console.Error.WriteLineAsync("objlog: 'objlog verify' lists every damaged object. Restore it from a copy, or move it out of the log's prefix to read past it (its events are then lost).");
            return 1;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"objlog: {e.Message}");
            return 1;
        }
    }
}
