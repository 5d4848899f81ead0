using System.CommandLine;
using System.CommandLine.Parsing;

namespace ObjectLog.Cli;

/// <summary><c>objlog cat</c>: writes every stored event of a log (or those of a range) to standard output, in order, one a line.</summary>
internal static class CatCommand
{
    public static Command Create()
    {
        var command = new Command("cat", "Write every stored event of a log to standard output, in order, one a line.") { ReadOptions.After, ReadOptions.Since, ReadOptions.Until, ReadOptions.Positions };
        ObjlogCommand.Validate(command.Validators, result => CatRange(result, DateTimeOffset.UtcNow));
        command.SetAction((result, ct) => ObjlogCommand.Run(result, async (location, ct) =>
        {
            await using var log = new AppendLog(location.Store, location.LogPrefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan });
            DateTimeOffset now = await ReadOptions.SpanOriginAsync(log, ct, result.GetValue(ReadOptions.Since), result.GetValue(ReadOptions.Until));
            (LogPosition? after, DateTimeOffset? since, DateTimeOffset? until) = CatRange(result.CommandResult, now);
            await using var output = new EventWriter(result.GetValue(ReadOptions.Positions));
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
        LogPosition? after = ReadOptions.ParseAfter(result);
        DateTimeOffset? since = result.GetValue(ReadOptions.Since) is { } s ? TimeArgument.ParseTime(s, now, "--since") : null;
        DateTimeOffset? until = result.GetValue(ReadOptions.Until) is { } u ? TimeArgument.ParseTime(u, now, "--until") : null;
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
}
