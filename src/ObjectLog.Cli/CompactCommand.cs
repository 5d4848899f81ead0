using System.CommandLine;
using Spectre.Console;

namespace ObjectLog.Cli;

/// <summary><c>objlog compact</c>: merges a log's objects into one and deletes what earlier compactions left once past its grace period.</summary>
internal static class CompactCommand
{
    public static Command Create()
    {
        var command = new Command("compact", "Merge a log's objects into one; readers see the same events throughout. Also deletes what earlier compactions left once past its grace period.") { GraceOptions.AbandonedMerge, GraceOptions.Superseded, CompressionOption.Option };
        command.SetAction((result, ct) => ObjlogCommand.Run(result, async (location, ct) =>
        {
            await using var log = new AppendLog(location.Store, location.LogPrefix, GraceOptions.Apply(result, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan, Compression = CompressionOption.Value(result) }));
            CompactionStats stats = await StderrProgress.RunAsync($"compacting {Markup.Escape(location.Description)}", () => log.CompactAsync(ct));
            Console.WriteLine(stats.NewKey is null
                ? $"nothing to merge: the log is {stats.MergedObjects} object(s); deleted {stats.DeletedObjects} superseded or abandoned object(s)"
                : $"merged {stats.MergedObjects} objects ({stats.Events} events) into {stats.NewKey}; deleted {stats.DeletedObjects} object(s)");
            return await DeleteFailures.ReportAsync(stats.DeleteFailures) ? 1 : 0;
        }, ct));
        return command;
    }
}
