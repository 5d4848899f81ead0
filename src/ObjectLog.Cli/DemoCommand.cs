using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Spectre.Console;

namespace ObjectLog.Cli;

/// <summary><c>objlog demo</c>: writes sample JSON events to a log, reads them back, compacts, and shows what happened.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--events") { Description = "How many sample events to write.", DefaultValueFactory = _ => 300 };
        var command = new Command("demo", "Write sample JSON events to a log (default 'demo', not 'events'), read them back, compact, and show what happened.") { count };
        ObjlogCommand.Validate(count.Validators, result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                throw new ArgumentException("--events must be at least 1.");
            }
        });
        command.SetAction((result, ct) => ObjlogCommand.Run(result, async (location, ct) =>
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
                for (int i = 0; i < n; i++)
                {
                    await writer.AppendAsync(DemoEvents.Next(random, before + i), ct);
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
            AnsiConsole.MarkupLine($"Try: [grey]objlog cat --log {log} | tail -3[/], [grey]objlog ls --log {log}[/], or see it in a browser: [grey]objlog ui --open[/]");
            return same ? 0 : 1;
        }, ct, defaultLog: "demo"));
        return command;
    }
}
