using System.CommandLine;
using System.CommandLine.Parsing;
using ObjectLog.Storage;

namespace ObjectLog.Cli;

/// <summary>
/// The <c>objlog</c> command line: the root command with its commands (demo, append, cat, tail, ls, files, stats, compact,
/// trim, consumers, verify, ui, help; each in its own file), the options they share, and how a command opens its log and exits.
/// </summary>
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

    internal static async Task<int> UnknownCommandAsync(string name)
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
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(AppendCommand.Create());
        root.Subcommands.Add(CatCommand.Create());
        root.Subcommands.Add(TailCommand.Create());
        root.Subcommands.Add(LsCommand.Create());
        root.Subcommands.Add(FilesCommand.Create());
        root.Subcommands.Add(StatsCommand.Create());
        root.Subcommands.Add(CompactCommand.Create());
        root.Subcommands.Add(TrimCommand.Create());
        root.Subcommands.Add(ConsumersCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(UiCommand.Create());
        root.Subcommands.Add(HelpCommand.Create());
        foreach (Command command in root.Subcommands.Where(c => c.Name is not ("demo" or "append" or "help")))
        {
            command.Arguments.Add(LogUrlArgument);
            foreach (Command sub in command.Subcommands)
            {
                sub.Arguments.Add(LogUrlArgument); // consumers reset NAME [log-url]
            }
        }

        return root;
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

    /// <summary>On a folder store, what is under <paramref name="prefix"/> that is not a regular file (links, FIFOs…), which the log never reads; none elsewhere.</summary>
    internal static IReadOnlyList<(string Key, string What)> SpecialEntries(StoreLocation location, string prefix)
        => location.Store is FileSystemObjectStore folder ? folder.FindSpecialEntries(prefix) : [];

    /// <summary>The log URL the command was given, as its argument or as <c>--log</c>, if any.</summary>
    private static string? LogUrl(ParseResult result)
        => result.GetResult(LogUrlArgument)?.GetValueOrDefault<string?>()
            ?? (result.GetValue(LogOption) is { } log && log.Contains("://", StringComparison.Ordinal) ? log : null);

    /// <summary>Where the command's log is: a log URL, or <c>--store</c> and <c>--log</c>.</summary>
    /// <exception cref="ArgumentException">Both were given, or a value is malformed.</exception>
    private static StoreLocation Locate(ParseResult result, string? defaultLog, bool readOnly, bool logOptional)
    {
        if (LogUrl(result) is not { } url)
        {
            if (logOptional && result.GetValue(LogOption) is null)
            {
                return StoreLocation.ParseStore(result.GetValue(StoreOption)!, mustExist: readOnly);
            }

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
    /// <param name="logOptional">Without <c>--log</c> or a log URL the command takes the store alone (<see cref="StoreLocation.HasLog"/>), and an empty log is no error.</param>
    internal static async Task<int> Run(ParseResult result, Func<StoreLocation, CancellationToken, Task<int>> action, CancellationToken cancellationToken, string? defaultLog = null, bool readOnly = false, bool waitsForEvents = false, bool logOptional = false)
    {
        try
        {
            using StoreLocation location = Locate(result, defaultLog, readOnly, logOptional);
            bool empty = readOnly && !logOptional && !await HasObjectsAsync(location, cancellationToken);
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
