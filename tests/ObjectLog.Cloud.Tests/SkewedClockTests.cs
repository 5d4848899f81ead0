using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ObjectLog.Cloud.Tests.Servers;
using ObjectLog.Storage;
using ObjectLog.Tests;
using ObjectLog.Tests.Log;

namespace ObjectLog.Cloud.Tests;

/// <summary>
/// Where a skewed-clock test's log lives: the <c>--store</c> URL and environment <c>objlog</c> processes get, and the
/// same store for the test's own reader (its clock is the machine's).
/// </summary>
public sealed record SkewTarget(string StoreUrl, IReadOnlyDictionary<string, string> Environment, IObjectStore Store, string KeyPrefix)
{
    /// <summary><c>objlog COMMAND --store URL --log LOG ARGS…</c>.</summary>
    public string[] Args(string command, string log, params string[] args) => [command, "--store", StoreUrl, "--log", log, .. args];

    public AppendLog Reader(string log) => new(Store, KeyPrefix + log, Events.Quiet());
}

/// <summary>What an <c>objlog</c> process did.</summary>
public sealed record ObjlogRun(string What, int Code, string Output, string Error)
{
    public override string ToString() => $"{What}: exit {Code}\n--- stdout:\n{Output}\n--- stderr:\n{Error}";
}

/// <summary>
/// Runs <c>objlog</c> in child processes whose wall clock is shifted with libfaketime (Debian's <c>faketime</c>
/// package, which <c>tests/servers/install.sh</c> installs): <c>LD_PRELOAD</c> of <c>libfaketime.so.1</c> with
/// <c>FAKETIME=±SECONDS</c>. <c>FAKETIME_DONT_FAKE_MONOTONIC=1</c> keeps the monotonic clock real, as .NET needs
/// (Stopwatch, timers), and <c>FAKETIME_FORCE_MONOTONIC_FIX=0</c> leaves .NET's waits on monotonic condition
/// variables alone (with Debian's glibc, libfaketime otherwise rewrites them, and the runtime's threads spin: three
/// times the CPU per process). The stores' own clocks stay real: Ceph and Azurite are not shifted, and the file
/// system stamps files with the kernel's clock (libfaketime shifts what <c>fstat</c> returns, not <c>statx</c>).
/// </summary>
internal static class SkewedObjlog
{
    private static readonly Lazy<string?> Found = new(FindLibrary);

    /// <summary>The preload library; a missing one fails the test that needs it, saying what to install.</summary>
    public static string Library => Found.Value ?? throw new InvalidOperationException(
        "faketime is not installed: no libfaketime.so.1 under /usr/lib/*/faketime or /usr/lib/faketime, and the skewed-clock "
        + "tests run objlog under it. Run 'bash tests/servers/install.sh' as root (it installs Debian's faketime package), "
        + "or 'apt-get install faketime'.");

    public static string ObjlogDll => Path.Combine(AppContext.BaseDirectory, "objlog.dll");

    /// <summary>An <c>objlog tail -f</c> with <paramref name="args"/>, under <paramref name="target"/>'s environment.</summary>
    public static FollowingObjlog Follow(SkewTarget target, string[] args)
        => new(Start("dotnet", [ObjlogDll, .. args], target.Environment, workingDirectory: null));

    /// <summary>The variables that shift a process's wall clock by <paramref name="offset"/>; none for zero (a process as it comes).</summary>
    public static Dictionary<string, string> ClockEnvironment(TimeSpan offset) => offset == TimeSpan.Zero
        ? []
        : new()
        {
            ["LD_PRELOAD"] = Library,
            ["FAKETIME"] = string.Create(CultureInfo.InvariantCulture, $"{(offset < TimeSpan.Zero ? '-' : '+')}{(long)offset.Duration().TotalSeconds}"),
            ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1",
            ["FAKETIME_FORCE_MONOTONIC_FIX"] = "0",
        };

    /// <summary>Runs <c>objlog ARGS</c> with its clock off by <paramref name="offset"/>, feeding it <paramref name="stdin"/>.</summary>
    public static Task<ObjlogRun> RunAsync(TimeSpan offset, SkewTarget target, string[] args, string? stdin = null)
    {
        var environment = new Dictionary<string, string>(target.Environment);
        foreach ((string name, string value) in ClockEnvironment(offset))
        {
            environment[name] = value;
        }

        return RunProgramAsync($"objlog {args[0]} (clock {Describe(offset)})", "dotnet", [ObjlogDll, .. args], environment, stdin, workingDirectory: null);
    }

    /// <summary>Runs <paramref name="program"/>; ends it (and what it started) if it is still running after two minutes.</summary>
    public static async Task<ObjlogRun> RunProgramAsync(string what, string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string? stdin, string? workingDirectory)
    {
        using Process process = Start(program, args, environment, workingDirectory);
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // it stopped reading its input early: its exit code and stderr say why
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{what} still ran after 2 minutes, and was ended. stdout:\n{await output}\nstderr:\n{await error}");
        }

        return new ObjlogRun(what, process.ExitCode, await output, await error);
    }

    public static Process Start(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string? workingDirectory)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach ((string name, string value) in environment)
        {
            info.Environment[name] = value;
        }

        try
        {
            return Process.Start(info) ?? throw new InvalidOperationException($"'{program}' did not start.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"'{program}' could not start ({e.Message}). For faketime, run 'bash tests/servers/install.sh' as root (it installs Debian's faketime package).", e);
        }
    }

    public static string Describe(TimeSpan offset) => offset == TimeSpan.Zero
        ? "right"
        : (offset < TimeSpan.Zero ? "-" : "+") + (offset.Duration() switch
        {
            { TotalDays: >= 1 } d when d.TotalDays == Math.Floor(d.TotalDays) => $"{d.TotalDays}d",
            { TotalHours: >= 1 } h when h.TotalHours == Math.Floor(h.TotalHours) => $"{h.TotalHours}h",
            var m => $"{m.TotalMinutes}min",
        });

    /// <summary>Every ISO 8601 time in <paramref name="text"/> (as objlog prints them, with <c>O</c> or to the second).</summary>
    public static List<DateTimeOffset> TimesIn(string text)
        => [.. Regex.Matches(text, @"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
            .Select(m => DateTimeOffset.Parse(m.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal))];

    public static string Lines(IEnumerable<string> events) => string.Concat(events.Select(e => e + "\n"));

    private static string? FindLibrary()
    {
        IEnumerable<string> multiarch = Directory.Exists("/usr/lib")
            ? Directory.EnumerateDirectories("/usr/lib").Order(StringComparer.Ordinal).Select(d => Path.Combine(d, "faketime", "libfaketime.so.1"))
            : [];
        return multiarch.Append("/usr/lib/faketime/libfaketime.so.1").FirstOrDefault(File.Exists);
    }
}

/// <summary>
/// <c>objlog</c> processes whose clocks are really skewed (libfaketime), sharing one log on one store, which
/// coordinate only through the store: every time decision that two processes' clocks meet in is taken from the
/// store's clock. Each scenario fails against a version that trusted its machine's clock (a trim from a process a
/// year ahead erased the log; a slow writer's batches were hidden by a trim; a fast writer blinded a tail).
/// </summary>
public abstract class SkewedClockTests
{
    private static readonly TimeSpan Slow2h = TimeSpan.FromHours(-2);
    private static readonly TimeSpan Fast10min = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Fast1d = TimeSpan.FromDays(1);
    private static readonly TimeSpan Fast365d = TimeSpan.FromDays(365);

    /// <summary>How far from the machine's clock a batch's time may be: the 30 s bound on batch names, and some slack.</summary>
    private static readonly TimeSpan NameSlack = TimeSpan.FromSeconds(45);

    /// <summary>A new, empty place for one test's log.</summary>
    protected abstract SkewTarget Target { get; }

    /// <summary>
    /// Four writers with clocks 2 h slow, right, 10 min fast and a day fast append at once while compactors a day
    /// fast and 2 h slow compact (once or twice each, at once), and a day-fast one once more after them; then a
    /// process a year fast trims: a cutoff ahead of the store's clock is refused naming both times, and <c>--keep
    /// 30d</c> counts back from the store's clock, trimming nothing recent. Every event comes back exactly once, each writer's in its order, each batch named within the bound of
    /// the real time; a later append is read; verify passes.
    /// </summary>
    [Fact]
    public async Task Writers_2h_slow_to_a_day_fast_skewed_compactors_and_a_trim_a_year_ahead_lose_nothing()
    {
        const int PerWriter = 60;
        SkewTarget target = Target;
        DateTimeOffset start = DateTimeOffset.UtcNow;
        TimeSpan[] writers = [Slow2h, TimeSpan.Zero, Fast10min, Fast1d];
        Task<ObjlogRun[]> appending = Task.WhenAll(writers.Select((offset, w) => SkewedObjlog.RunAsync(
            offset, target, target.Args("append", "shared", "--flush-threshold", "7"), SkewedObjlog.Lines(Enumerable.Range(0, PerWriter).Select(i => Events.Json(w, i))))));

        async Task<List<ObjlogRun>> CompactWhileAppendingAsync(TimeSpan offset)
        {
            var runs = new List<ObjlogRun>();
            do
            {
                runs.Add(await SkewedObjlog.RunAsync(offset, target, target.Args("compact", "shared")));
            }
            while (!appending.IsCompleted && runs.Count < 2);

            return runs;
        }

        List<ObjlogRun>[] compactions = await Task.WhenAll(CompactWhileAppendingAsync(Fast1d), CompactWhileAppendingAsync(Slow2h));
        ObjlogRun[] appends = await appending;
        ObjlogRun last = await SkewedObjlog.RunAsync(Fast1d, target, target.Args("compact", "shared"));
        foreach (ObjlogRun run in appends.Concat(compactions.SelectMany(c => c)).Append(last))
        {
            Assert.True(run.Code == 0, run.ToString());
        }

        // A process a year ahead: a cutoff an hour after the real time is after the store's time, and refused naming both.
        string anHourAhead = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        ObjlogRun refused = await SkewedObjlog.RunAsync(Fast365d, target, target.Args("trim", "shared", "--before", anHourAhead));
        AssertRefusedNamingBothTimes(refused, Fast365d);

        // --keep 30d from there counts back from the store's clock: nothing recent is trimmed (or the trim is refused).
        ObjlogRun keep = await SkewedObjlog.RunAsync(Fast365d, target, target.Args("trim", "shared", "--keep", "30d"));
        AssertTrimmedBeforeOrRefused(keep, DateTimeOffset.UtcNow - TimeSpan.FromDays(30), Fast365d);

        const string After = "{\"after\":\"trim\",\"clock\":\"+365d\"}";
        ObjlogRun appended = await SkewedObjlog.RunAsync(Fast365d, target, target.Args("append", "shared"), After + "\n");
        Assert.True(appended.Code == 0, appended.ToString());

        await using (AppendLog reader = target.Reader("shared"))
        {
            List<LogEvent> events = await Events.ToListAsync(reader.ReadEventsAsync());
            string[] texts = [.. events.Select(e => Encoding.UTF8.GetString(e.Data))];
            Assert.Equal(After, texts[^1]);
            AppendLogAcceptanceTests.AssertEveryWriterComplete(texts[..^1], writers.Length, PerWriter);
            AssertNamedNearRealTime(events, start, DateTimeOffset.UtcNow);
        }

        ObjlogRun verify = await SkewedObjlog.RunAsync(Fast365d, target, target.Args("verify", "shared"));
        Assert.True(verify.Code == 0, verify.ToString());
    }

    /// <summary>
    /// A trim keeping 1 h, from a right clock, between writers whose clocks are 2 h slow: the one before it named its
    /// batches by the store's clock (recent: kept), the one after it stored its batches after the trim record (read
    /// whatever their names).
    /// </summary>
    [Fact]
    public async Task A_writer_2h_slow_after_a_trim_keeping_1h_is_read()
    {
        const int PerWriter = 20;
        SkewTarget target = Target;
        string Input(int writer) => SkewedObjlog.Lines(Enumerable.Range(0, PerWriter).Select(i => Events.Json(writer, i)));

        ObjlogRun[] before = await Task.WhenAll(
            SkewedObjlog.RunAsync(TimeSpan.Zero, target, target.Args("append", "slow", "--flush-threshold", "3"), Input(0)),
            SkewedObjlog.RunAsync(Slow2h, target, target.Args("append", "slow", "--flush-threshold", "3"), Input(1)));
        Assert.All(before, run => Assert.True(run.Code == 0, run.ToString()));

        ObjlogRun trim = await SkewedObjlog.RunAsync(TimeSpan.Zero, target, target.Args("trim", "slow", "--keep", "1h"));
        Assert.True(trim.Code == 0, trim.ToString());
        AssertTrimmedBeforeOrRefused(trim, DateTimeOffset.UtcNow.AddHours(-1), TimeSpan.Zero);

        ObjlogRun after = await SkewedObjlog.RunAsync(Slow2h, target, target.Args("append", "slow", "--flush-threshold", "3"), Input(2));
        Assert.True(after.Code == 0, after.ToString());

        await using (AppendLog reader = target.Reader("slow"))
        {
            AppendLogAcceptanceTests.AssertEveryWriterComplete(Events.Texts(await reader.ReadAllAsync()), 3, PerWriter);
        }

        ObjlogRun cat = await SkewedObjlog.RunAsync(Slow2h, target, target.Args("cat", "slow"));
        Assert.True(cat.Code == 0, cat.ToString());
        AppendLogAcceptanceTests.AssertEveryWriterComplete(cat.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), 3, PerWriter);
    }

    /// <summary>
    /// An <c>objlog tail -f</c> with a right clock, started before a writer whose clock is 10 min fast appends, still
    /// prints what right-clock writers append after it (a tail that followed the fast writer's batch names looked
    /// only at names from 9 minutes ahead on, and went blind).
    /// </summary>
    [Fact]
    public async Task A_tail_started_before_a_writer_10_minutes_fast_still_prints_later_events_of_right_clocks()
    {
        SkewTarget target = Target;
        string[] Batch(int writer) => [.. Enumerable.Range(0, 5).Select(i => Events.Json(writer, i))];
        async Task AppendAsync(TimeSpan offset, int writer)
        {
            ObjlogRun run = await SkewedObjlog.RunAsync(offset, target, target.Args("append", "tailed", "--flush-threshold", "2"), SkewedObjlog.Lines(Batch(writer)));
            Assert.True(run.Code == 0, run.ToString());
        }

        await AppendAsync(TimeSpan.Zero, 0);
        using var tail = SkewedObjlog.Follow(target, target.Args("tail", "tailed", "--follow", "--lines", "100", "--interval", "0.2"));
        TimeSpan wait = TimeSpan.FromSeconds(20);
        await tail.WaitForAsync(Batch(0), wait, "the tail did not start");

        await AppendAsync(Fast10min, 1);
        await tail.WaitForAsync(Batch(1), wait, "the tail did not print the events of the writer 10 min fast");

        await AppendAsync(TimeSpan.Zero, 2);
        await tail.WaitForAsync(Batch(2), wait, "the tail went blind after the writer 10 min fast");

        // Each event appended after the tail started is printed once, and nothing else is printed but the first
        // writer's (which may come twice: see Tail_f_prints_each_event_once).
        IReadOnlyList<string> printed = tail.Lines;
        foreach (string e in Batch(1).Concat(Batch(2)))
        {
            Assert.True(printed.Count(p => p == e) == 1, $"{e} is printed {printed.Count(p => p == e)} times:\n{string.Join('\n', printed)}");
        }

        Assert.All(printed, p => Assert.Contains(p, Batch(0).Concat(Batch(1)).Concat(Batch(2))));
    }

    /// <summary>Exit 2, and the message names the store's time (the real one) and this machine's (<paramref name="offset"/> ahead).</summary>
    /// <summary>
    /// <c>cat --since 10m</c> and <c>tail --since 10m</c> on a machine a day fast print what was appended a moment ago:
    /// a span counts back from the store's time, not the machine's (from which it would start a day late, printing nothing).
    /// </summary>
    [Fact]
    public async Task Cat_and_tail_since_a_span_count_back_from_the_stores_clock()
    {
        SkewTarget target = Target;
        string appended = Events.Json(0, 0);
        ObjlogRun append = await SkewedObjlog.RunAsync(TimeSpan.Zero, target, target.Args("append", "since", appended));
        Assert.True(append.Code == 0, append.ToString());

        foreach (string command in new[] { "cat", "tail" })
        {
            ObjlogRun read = await SkewedObjlog.RunAsync(Fast1d, target, target.Args(command, "since", "--since", "10m"));
            Assert.True(read.Code == 0, read.ToString());
            Assert.True(read.Output == appended + "\n", $"{command} --since 10m a day fast: {read}");
        }
    }

    private static void AssertRefusedNamingBothTimes(ObjlogRun run, TimeSpan offset)
    {
        Assert.True(run.Code == 2, $"a cutoff after the store's time must be refused (exit 2). {run}");
        DateTimeOffset now = DateTimeOffset.UtcNow;
        List<DateTimeOffset> times = SkewedObjlog.TimesIn(run.Error);
        Assert.True(times.Any(t => (t - now).Duration() < TimeSpan.FromMinutes(2)), $"the message names no time near the store's, {now:O}. {run}");
        Assert.True(times.Any(t => (t - (now + offset)).Duration() < TimeSpan.FromMinutes(2)), $"the message names no time near this machine's, {now + offset:O} (is the clock shifted?). {run}");
    }

    /// <summary>A trim that says it trimmed before a cutoff near <paramref name="expected"/>, or a refusal naming both times.</summary>
    private static void AssertTrimmedBeforeOrRefused(ObjlogRun run, DateTimeOffset expected, TimeSpan offset)
    {
        if (run.Code == 2 && offset != TimeSpan.Zero)
        {
            AssertRefusedNamingBothTimes(run, offset);
            return;
        }

        Assert.True(run.Code == 0, run.ToString());
        List<DateTimeOffset> times = SkewedObjlog.TimesIn(run.Output);
        Assert.True(times.Count == 1 && (times[0] - expected).Duration() < TimeSpan.FromMinutes(2), $"the cutoff must count back from the store's clock, to about {expected:O}. {run}");
    }

    /// <summary>Every batch is named within the bound of the real time, whatever its writer's clock said.</summary>
    private static void AssertNamedNearRealTime(IEnumerable<LogEvent> events, DateTimeOffset start, DateTimeOffset end)
    {
        foreach (string batch in events.Select(e => e.Position.Batch).Distinct())
        {
            DateTimeOffset time = new LogPosition(batch, 0).BatchTime;
            Assert.True(time >= start - NameSlack && time <= end + NameSlack, $"batch {batch} is named {time:O}, outside [{start:O}, {end:O}] give or take {NameSlack}.");
        }
    }
}

/// <summary>The scenarios on the filesystem store (a temporary folder as <c>--store</c>), and the issue's own repro.</summary>
public sealed class FileSystemSkewedClockTests : SkewedClockTests, IDisposable
{
    private readonly TempDirectory _folder = new();

    protected override SkewTarget Target => new(_folder.Path, new Dictionary<string, string>(), new FileSystemObjectStore(_folder.Path), "");

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// The issue, as written: <c>objlog demo</c> (300 events), then <c>faketime -f +365d objlog trim --log demo --keep
    /// 30d</c> in the same folder (the default store). Nothing is erased, the cutoff is 30 days before the store's
    /// clock, a later append is read, and verify passes.
    /// </summary>
    [Fact]
    public async Task Issue_repro_demo_then_faketime_365d_trim_keep_30d_erases_nothing()
    {
        _ = SkewedObjlog.Library; // a missing faketime fails here, saying what to install
        var none = new Dictionary<string, string>();
        Task<ObjlogRun> Objlog(params string[] args) => SkewedObjlog.RunProgramAsync($"objlog {args[0]}", "dotnet", [SkewedObjlog.ObjlogDll, .. args], none, stdin: null, _folder.Path);

        ObjlogRun demo = await Objlog("demo");
        Assert.True(demo.Code == 0, demo.ToString());

        ObjlogRun trim = await SkewedObjlog.RunProgramAsync(
            "faketime -f +365d objlog trim", "faketime", ["-f", "+365d", "dotnet", SkewedObjlog.ObjlogDll, "trim", "--log", "demo", "--keep", "30d"],
            new Dictionary<string, string> { ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1" }, stdin: null, _folder.Path);
        if (trim.Code == 2)
        {
            Assert.Contains("store's time", trim.Error, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(trim.Code == 0, trim.ToString());
            List<DateTimeOffset> cutoff = SkewedObjlog.TimesIn(trim.Output);
            DateTimeOffset expected = DateTimeOffset.UtcNow - TimeSpan.FromDays(30);
            Assert.True(cutoff.Count == 1 && (cutoff[0] - expected).Duration() < TimeSpan.FromMinutes(2), $"--keep 30d must count back from the store's clock, to about {expected:O}. {trim}");
        }

        ObjlogRun cat = await Objlog("cat", "--log", "demo");
        Assert.True(cat.Code == 0, cat.ToString());
        Assert.Equal(300, cat.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        ObjlogRun append = await Objlog("append", "--log", "demo", "{\"after\":\"trim\"}");
        Assert.True(append.Code == 0, append.ToString());
        cat = await Objlog("cat", "--log", "demo");
        string[] lines = cat.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(301, lines.Length);
        Assert.Equal("{\"after\":\"trim\"}", lines[^1]);

        ObjlogRun verify = await Objlog("verify", "--log", "demo");
        Assert.True(verify.Code == 0, verify.ToString());
    }

    /// <summary>
    /// A writer whose clock is a day fast must not take another writer's put in flight for a dead one's: the staged
    /// file (written a moment ago by the file system's clock) stays.
    /// </summary>
    [Fact]
    public async Task A_writer_a_day_fast_leaves_another_writers_staged_file_alone()
    {
        SkewTarget target = Target;
        string staging = Path.Combine(_folder.Path, FileSystemObjectStore.StagingFolderName);
        Directory.CreateDirectory(staging);
        string inFlight = Path.Combine(staging, $"{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(inFlight, "{\"a put\":\"in flight\"}\n");

        ObjlogRun append = await SkewedObjlog.RunAsync(TimeSpan.FromDays(1), target, target.Args("append", "swept", "{\"a\":1}"));
        Assert.True(append.Code == 0, append.ToString());
        Assert.True(File.Exists(inFlight), "a writer a day fast removed a staged file written a moment ago: another writer's put in flight fails");
    }

    /// <summary><c>objlog tail -f</c> prints each event once: the latest ones first, then each new one.</summary>
    [Fact]
    public async Task Tail_f_prints_each_event_once()
    {
        SkewTarget target = Target;
        string[] first = [.. Enumerable.Range(0, 5).Select(i => Events.Json(0, i))];
        ObjlogRun append = await SkewedObjlog.RunAsync(TimeSpan.Zero, target, target.Args("append", "once", "--flush-threshold", "2"), SkewedObjlog.Lines(first));
        Assert.True(append.Code == 0, append.ToString());
        using var tail = SkewedObjlog.Follow(target, target.Args("tail", "once", "--follow", "--lines", "100", "--interval", "0.2"));
        await tail.WaitForAsync(first, TimeSpan.FromSeconds(20), "the tail did not start");

        string next = Events.Json(1, 0);
        append = await SkewedObjlog.RunAsync(TimeSpan.Zero, target, target.Args("append", "once", next));
        Assert.True(append.Code == 0, append.ToString());
        await tail.WaitForAsync([next], TimeSpan.FromSeconds(20), "the tail did not print a new event");
        await Task.Delay(500); // a few more polls
        Assert.Equal([.. first, next], tail.Lines);
    }

    /// <summary>
    /// <c>objlog tail -f</c> prints the events a writer 2 h slow appends right after it starts: their batches are named
    /// by the store's clock up to 30 s back, within the tail's look-back.
    /// </summary>
    [Fact]
    public async Task Tail_f_prints_a_writer_2h_slow_that_appends_right_after_it_starts()
    {
        SkewTarget target = Target;
        string[] events = ["{\"writer\":0}", "{\"writer\":\"2h slow\"}"];
        ObjlogRun first = await SkewedObjlog.RunAsync(TimeSpan.Zero, target, target.Args("append", "late", events[0]));
        Assert.True(first.Code == 0, first.ToString());
        using var tail = SkewedObjlog.Follow(target, target.Args("tail", "late", "--follow", "--interval", "0.2"));
        await tail.WaitForAsync([events[0]], TimeSpan.FromSeconds(20), "the tail did not start");

        ObjlogRun slow = await SkewedObjlog.RunAsync(TimeSpan.FromHours(-2), target, target.Args("append", "late", events[1]));
        Assert.True(slow.Code == 0, slow.ToString());
        await tail.WaitForAsync([events[1]], TimeSpan.FromSeconds(10), "the tail missed the event of the writer 2 h slow");
    }
}

[Collection(CephRgwCollection.Name)]
public sealed class S3OnCephSkewedClockTests(CephRgwFixture server) : SkewedClockTests
{
    protected override SkewTarget Target
    {
        get
        {
            string prefix = $"skew-{Guid.NewGuid():N}";
            var environment = new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = server.AccessKey,
                ["AWS_SECRET_ACCESS_KEY"] = server.SecretKey,
                ["AWS_REGION"] = server.Region,
            };
            return new($"s3://{server.BucketName}/{prefix}?endpoint={server.Endpoint}", environment, server.CreateStore(), prefix + "/");
        }
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureOnAzuriteSkewedClockTests(AzuriteFixture server) : SkewedClockTests
{
    protected override SkewTarget Target
    {
        get
        {
            string prefix = $"skew-{Guid.NewGuid():N}";
            var environment = new Dictionary<string, string>
            {
                ["AZURE_STORAGE_CONNECTION_STRING"] = $"DefaultEndpointsProtocol=http;AccountName={AzuriteFixture.AccountName};AccountKey={AzuriteFixture.AccountKey};BlobEndpoint={server.ServiceUri};",
            };
            return new($"az://{AzuriteFixture.ContainerName}/{prefix}", environment, server.CreateStore(), prefix + "/");
        }
    }
}
