using System.CommandLine;
using System.CommandLine.Parsing;

namespace ObjectLog.Cli;

/// <summary><c>objlog trim</c>: removes a log's batches older than a time, or beyond a span kept.</summary>
internal static class TrimCommand
{
    public static Command Create()
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

        ObjlogCommand.Validate(command.Validators, result => Cutoff(result, DateTimeOffset.UtcNow)); // the form only: the time is checked against the store's
        command.SetAction((result, ct) => ObjlogCommand.Run(result, async (location, ct) =>
        {
            await using var log = new AppendLog(location.Store, location.LogPrefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan });
            DateTimeOffset cutoff = Cutoff(result.CommandResult, await log.GetStoreTimeAsync(ct));
            TrimStats stats = await log.TrimAsync(cutoff, ct);
            string still = stats.MergedObjectsHoldingTrimmed == 0 ? "" : $" ({stats.MergedObjectsHoldingTrimmed} merged object(s) still hold trimmed bytes, which readers skip: the next compaction rewrites them)";
            Console.WriteLine($"trimmed before {stats.Before:O}: hid {stats.HiddenEvents} event(s) in {stats.HiddenBatches} batch(es) from readers; deleted {stats.DeletedObjects} object(s){still}");
            return await DeleteFailures.ReportAsync(stats.DeleteFailures) ? 1 : 0;
        }, ct));
        return command;
    }
}
