using System.CommandLine;
using ObjectLog.Storage;
using Spectre.Console;

namespace ObjectLog.Cli;

/// <summary><c>objlog verify</c>: checks every object of a log and reads it whole, reporting problems; with <c>--repair</c>, first deletes what compaction would collect.</summary>
internal static class VerifyCommand
{
    public static Command Create()
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
        command.SetAction((result, ct) => ObjlogCommand.Run(result, async (location, ct) =>
        {
            await using var log = new AppendLog(location.Store, location.LogPrefix, GraceOptions.Apply(result, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan }));
            // A repair that cannot write (a missing end marker on a read-only store) throws, and the command exits 1
            // with the error; one that cannot delete reports each object it left, and the command exits 1 after the report.
            CompactionStats? repaired = result.GetValue(repair) ? await StderrProgress.RunAsync("repairing", () => log.CompactAsync(CompactionPolicy.Nothing, ct)) : null;
            VerifyReport r = await StderrProgress.RunAsync($"verifying {Markup.Escape(location.Description)}", () => log.VerifyAsync(ct));
            IReadOnlyList<string> staleSpill = r.StaleSpillFiles;
            IReadOnlyList<(string Key, string What)> special = ObjlogCommand.SpecialEntries(location, log.KeyPrefix);
            bool leftGarbage = await DeleteFailures.ReportAsync(repaired?.DeleteFailures ?? []);
            int exitCode = r.IsSound && !leftGarbage && r.NotJsonEvents == 0 ? 0 : 1;
            if (result.GetValue(json))
            {
                var report = new VerifyJson(r.IsSound, r.Events, r.Bytes, r.BatchObjects, r.MergedObjects, r.UncommittedMerges, r.ForeignObjects, [.. r.Problems.Select(p => p.Message)], r.StaleStagedFiles, r.UnverifiedObjects, repaired?.DeletedObjects, repaired?.DeleteFailures, staleSpill, [.. special.Select(e => new ListedSpecialEntry(e.Key, e.What))], r.LiveObjects, r.SupersededObjects, r.GarbageObjects, r.NotJsonEvents, [.. r.NotJsonEventProblems.Select(p => p.Message)]);
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(report, CliJson.Default.VerifyJson));
                return exitCode;
            }

            if (repaired is not null)
            {
                string failed = repaired.DeleteFailures.Count == 0 ? "" : $"; could not delete {repaired.DeleteFailures.Count} (listed on stderr)";
                Console.WriteLine($"repair: deleted {repaired.DeletedObjects} object(s){failed} (uncommitted merges older than {result.GetValue(GraceOptions.AbandonedMerge)}, objects superseded longer than {result.GetValue(GraceOptions.Superseded)}, what they left behind)");
            }

            Console.WriteLine($"{location.Description}: {r.LiveObjects} live objects, {r.SupersededObjects} superseded, {r.UncommittedMerges} uncommitted merges, {r.GarbageObjects} garbage, {r.ForeignObjects} other objects (ignored); checked {r.BatchObjects} batch objects, {r.MergedObjects} merged objects");
            foreach ((string key, string what) in special)
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
}
