using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Spectre.Console;

namespace ObjectLog.Cli;

/// <summary>
/// <c>objlog consumers</c>: lists a log's named consumers (position, when it moved, owner, lease, lag), and
/// <c>objlog consumers reset</c>: moves one to the start, the end, a time or an event, refused while owned unless forced.
/// </summary>
internal static class ConsumersCommand
{
    /// <summary>The folder, under the log's prefix, of the consumers' state objects (see docs/format.md, "Named consumers").</summary>
    private const string Folder = "_consumers/";

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object a line: name, position, committed_at, owner, lease_expires, lag_seconds, events_behind, stored_at." };
        var command = new Command("consumers", "List a log's named consumers: each one's committed position and when it moved, the instance that owns it and when its lease expires, and how far it is behind the newest stored batch (a table on a terminal, tab-separated lines otherwise).") { json };
        command.Subcommands.Add(CreateReset());
        command.SetAction((result, ct) => ObjlogCommand.Run(result, (location, ct) => ExplainAsync(async () =>
        {
            await using var log = new AppendLog(location.Store, location.LogPrefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan });
            IReadOnlyList<ConsumerInfo> consumers = await log.ListConsumersAsync(ct);
            Print(consumers, result.GetValue(json));
            if (consumers.Count == 0 && !result.GetValue(json) && OutputMode.IsTerminal)
            {
                AnsiConsole.MarkupLine($"no named consumers in {Markup.Escape(location.Description)}");
            }

            return 0;
        }), ct, readOnly: true));
        return command;
    }

    /// <summary>Whether <paramref name="name"/> (a key under a log's prefix, without it) is a consumer's state object, for <c>ls</c>.</summary>
    public static bool IsStateObject(string name)
        => name.StartsWith(Folder, StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal) && name.IndexOf('/', Folder.Length) < 0;

    private static Command CreateReset()
    {
        var name = new Argument<string>("name") { Description = "The consumer to move." };
        var toStart = new Option<bool>("--to-start") { Description = "Start over from the first event of the log." };
        var toEnd = new Option<bool>("--to-end") { Description = "Skip everything stored so far: only events stored from now on (the store's clock)." };
        var toTime = new Option<string?>("--to-time") { Description = "Start at the batches of this time or later (2026-11-25T10:00:00Z, or a span ago: 2h)." };
        var toPosition = new Option<string?>("--to-position") { Description = "Resume after this event ({batch}:{line}, as cat --positions and tail print them); it must be in the log." };
        var force = new Option<bool>("--force") { Description = "Reset it even while an instance owns it: that owner is fenced (its next commit fails, and it stops)." };
        var json = new Option<bool>("--json") { Description = "Print the new state as one JSON object (as consumers --json does)." };
        var command = new Command("reset", "Move a named consumer to the start, the end, a time or an event; its handled batches are forgotten. Refused while an instance owns it, unless --force. A consumer with no state yet gets one there.") { name, toStart, toEnd, toTime, toPosition, force, json };
        ObjlogCommand.Validate(command.Validators, result => Target(result, DateTimeOffset.UtcNow)); // the form only: --to-time's span counts back from the store's clock

        (LogConsumerStart? Start, LogPosition? Position) Target(SymbolResult result, DateTimeOffset storeNow)
        {
            bool start = result.GetValue(toStart), end = result.GetValue(toEnd);
            string? time = result.GetValue(toTime), position = result.GetValue(toPosition);
            if ((start ? 1 : 0) + (end ? 1 : 0) + (time is null ? 0 : 1) + (position is null ? 0 : 1) != 1)
            {
                throw new ArgumentException("Give exactly one of --to-start, --to-end, --to-time and --to-position.");
            }

            if (position is not null)
            {
                return LogPosition.TryParse(position, out LogPosition parsed)
                    ? (null, parsed)
                    : throw new ArgumentException($"--to-position: '{position}' is not a log position ({{batch}}:{{line}}, such as batch_0001764000000000000-1f0c2a3b4c5d6e7f-000000000001.jsonl:0).");
            }

            return (start ? LogConsumerStart.Beginning : end ? LogConsumerStart.End : LogConsumerStart.At(TimeArgument.ParseTime(time!, storeNow, "--to-time")), null);
        }

        command.SetAction((result, ct) => ObjlogCommand.Run(result, (location, ct) => ExplainAsync(async () =>
        {
            await using var log = new AppendLog(location.Store, location.LogPrefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan });
            (LogConsumerStart? start, LogPosition? position) = Target(result.CommandResult, await log.GetStoreTimeAsync(ct));
            string consumer = result.GetValue(name)!;
            ConsumerInfo reset = start is not null
                ? await log.ResetConsumerAsync(consumer, start, result.GetValue(force), ct)
                : await log.ResetConsumerAsync(consumer, position!.Value, result.GetValue(force), ct);
            Print([reset], result.GetValue(json));
            return 0;
        }), ct, readOnly: true));
        return command;
    }

    /// <summary>
    /// Runs <paramref name="action"/>, explaining what only consumers meet: a damaged state object (which
    /// <c>verify</c> does not check, so its advice would mislead) and a store that cannot keep ownership.
    /// </summary>
    private static async Task<int> ExplainAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (CorruptObjectException e)
        {
            await Console.Error.WriteLineAsync($"objlog: {e.Message}");
            await Console.Error.WriteLineAsync("objlog: repair it by hand (docs/format.md, \"Named consumers\"), or replace it with 'objlog consumers reset NAME --force' and a --to-… option.");
            return 1;
        }
        catch (NotSupportedException e)
        {
            await Console.Error.WriteLineAsync($"objlog: {e.Message} Named consumers need a store that replaces objects conditionally.");
            return 1;
        }
    }

    private static void Print(IReadOnlyList<ConsumerInfo> consumers, bool json)
    {
        if (json || !OutputMode.IsTerminal)
        {
            foreach (ConsumerInfo c in consumers)
            {
                Console.WriteLine(json
                    ? System.Text.Json.JsonSerializer.Serialize(Listed(c), CliJson.Default.ListedConsumer)
                    : string.Join('\t', c.Name, c.Position?.ToString() ?? "beginning", Time(c.CommittedAt) ?? "-", c.Owner ?? "-", Time(c.LeaseExpires) ?? "-", Lag(c.Lag)));
            }

            return;
        }

        var table = new Table()
            .AddColumn("name")
            .AddColumn(new TableColumn("position").NoWrap())
            .AddColumn("committed at (UTC)")
            .AddColumn("owner")
            .AddColumn("lease expires (UTC)")
            .AddColumn(new TableColumn("lag").RightAligned());
        foreach (ConsumerInfo c in consumers)
        {
            table.AddRow(new Text(c.Name), new Text(Position(c.Position)) { Overflow = Overflow.Ellipsis }, new Text(Time(c.CommittedAt, "yyyy-MM-dd HH:mm:ss") ?? ""), new Text(c.Owner ?? ""), new Text(Time(c.LeaseExpires, "yyyy-MM-dd HH:mm:ss") ?? ""), new Text(Lag(c.Lag)));
        }

        AnsiConsole.Write(table);
    }

    private static ListedConsumer Listed(ConsumerInfo c)
        => new(c.Name, c.Position?.ToString(), Time(c.CommittedAt), c.Owner, Time(c.LeaseExpires), c.Lag?.TotalSeconds, c.EventsBehind, Time(c.StoredAt)!);

    /// <summary>A position for people: a time start (<see cref="LogPosition.Before"/>, the largest line) as its time.</summary>
    private static string Position(LogPosition? position)
        => position is not { } p ? "beginning"
            : p.Line == int.MaxValue ? $"from {Time(p.BatchTime.AddTicks(10), "yyyy-MM-dd HH:mm:ss.ffffff")}"
            : p.ToString();

    private static string? Time(DateTimeOffset? time, string format = "yyyy-MM-ddTHH:mm:ss.fffZ")
        => time?.UtcDateTime.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>A lag for people: 0s, 42s, 3m 05s, 2h 10m, 4d 03h; "-" when unknown (an empty log).</summary>
    private static string Lag(TimeSpan? lag) => lag switch
    {
        null => "-",
        { } l when l < TimeSpan.FromMinutes(1) => string.Create(CultureInfo.InvariantCulture, $"{(int)l.TotalSeconds}s"),
        { } l when l < TimeSpan.FromHours(1) => string.Create(CultureInfo.InvariantCulture, $"{l.Minutes}m {l.Seconds:00}s"),
        { } l when l < TimeSpan.FromDays(1) => string.Create(CultureInfo.InvariantCulture, $"{l.Hours}h {l.Minutes:00}m"),
        { } l => string.Create(CultureInfo.InvariantCulture, $"{(int)l.TotalDays}d {l.Hours:00}h"),
    };
}
