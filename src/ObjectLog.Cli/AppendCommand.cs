using System.CommandLine;
using System.Globalization;
using System.Text;
using ObjectLog.Storage;

namespace ObjectLog.Cli;

/// <summary>
/// <c>objlog append</c>: stores events from its arguments (all or nothing: every one is checked before any is
/// appended) or from standard input a line each. Input stops at the first line refused or the first store failure,
/// and the command says how many lines are stored, so <c>--skip N</c> resumes without storing any twice.
/// </summary>
internal static class AppendCommand
{
    public static Command Create()
    {
        var events = new Argument<string[]>("events") { Description = "Events to append (one each); read from standard input, a line each, if none are given.", Arity = ArgumentArity.ZeroOrMore };
        var threshold = new Option<int>("--flush-threshold") { Description = "Events per stored batch.", DefaultValueFactory = _ => 32 };
        var maxBytes = new Option<int>("--max-event-bytes") { Description = "The longest event accepted, in bytes; a longer one is refused.", DefaultValueFactory = _ => new AppendLogOptions().MaxEventBytes };
        var raw = new Option<bool>("--raw") { Description = "Store lines that are not JSON, or not UTF-8, too (each is still one event, never longer than --max-event-bytes)." };
        var skip = new Option<long>("--skip") { Description = "Skip the first N lines of input (or arguments): after a failure, the N it reported resumes without storing anything twice." };
        var command = new Command("append", "Append events to a log, checking each is JSON in UTF-8; stores them all before exiting. On standard input, empty and blank lines are skipped.") { events, threshold, maxBytes, raw, skip, CompressionOption.Option };
        command.SetAction((result, ct) => ObjlogCommand.Run(result, (location, ct) =>
        {
            var settings = new Settings(result.GetValue(threshold), result.GetValue(maxBytes), result.GetValue(raw), result.GetValue(skip), CompressionOption.Value(result));
            string[] given = result.GetValue(events) ?? [];
            return given.Length > 0 ? AppendArgumentsAsync(location, given, settings, ct) : AppendAsync(location, Console.OpenStandardInput(), "line", settings, ct);
        }, ct));
        return command;
    }

    private static Task<int> AppendArgumentsAsync(StoreLocation location, string[] given, Settings settings, CancellationToken cancellationToken)
    {
        settings.Validate();
        for (long i = settings.Skip; i < given.Length; i++)
        {
            if (EventCheck.Problem(Encoding.UTF8.GetBytes(given[i]), settings.MaxEventBytes, settings.Raw) is { } problem)
            {
                string url = i == 0 && given[i].Contains("://", StringComparison.Ordinal) ? " To append to a log by its URL, give it as --log URL (the arguments are events)." : "";
                throw new ArgumentException(Invariant($"argument {i + 1} {problem}; nothing was appended.{url}"));
            }
        }

        // Every argument is one line now (none holds a newline), so they take the same path as standard input.
        var input = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', given)));
        return AppendAsync(location, input, "argument", settings, cancellationToken);
    }

    private static async Task<int> AppendAsync(StoreLocation location, Stream input, string unit, Settings settings, CancellationToken cancellationToken)
    {
        settings.Validate();
        var lines = new InputLines(input, settings.MaxEventBytes);
        var log = new AppendLog(location.Store, location.LogPrefix, new AppendLogOptions
        {
            FlushThreshold = settings.FlushThreshold,
            MaxEventBytes = settings.MaxEventBytes,
            Compression = settings.Compression,
            FlushInterval = Timeout.InfiniteTimeSpan, // batches are stored only when full or at the end, so what is stored is known
        });
        long appended = 0, stored = 0, storedThrough = settings.Skip, handledThrough = settings.Skip;
        string? refused = null;
        IOException? failure = null;
        try
        {
            while (await lines.ReadAsync(cancellationToken) is (true, ReadOnlyMemory<byte> line, bool tooLong))
            {
                if (lines.Number <= settings.Skip || (!tooLong && EventCheck.IsBlank(line.Span)))
                {
                    handledThrough = Math.Max(handledThrough, lines.Number); // an empty or blank line is no event: JSON Lines readers skip it too
                    continue;
                }

                refused = tooLong ? EventCheck.TooLong(settings.MaxEventBytes) : EventCheck.Problem(line.Span, settings.MaxEventBytes, settings.Raw);
                if (refused is not null)
                {
                    break;
                }

                try
                {
                    await log.AppendAsync(line.ToArray(), cancellationToken); // a copy: the next line reuses the buffer
                }
                catch (ObjectStoreException e)
                {
                    failure = e; // storing its batch failed, but the event is kept: the dispose below retries it
                }

                appended++;
                handledThrough = lines.Number;
                if (failure is not null)
                {
                    break;
                }

                if (log.BufferedBytes == 0)
                {
                    (stored, storedThrough) = (appended, lines.Number);
                }
            }
        }
        catch (IOException e)
        {
            failure = e;
        }

        try
        {
            await log.DisposeAsync(); // stores what is buffered, retrying a batch that failed
            (stored, storedThrough) = (appended, handledThrough);
        }
        catch (IOException e)
        {
            failure ??= e;
        }

        if (refused is null && failure is null)
        {
            await Console.Error.WriteLineAsync($"appended {Events(appended)} to {location.Description}");
            return 0;
        }

        await Console.Error.WriteLineAsync(refused is not null
            ? Invariant($"objlog: {unit} {lines.Number} {refused}.")
            : Invariant($"objlog: storing failed: {failure!.Message}"));
        string from = stored == 0 ? "" : settings.Skip + 1 == storedThrough ? Invariant($", from {unit} {storedThrough}") : Invariant($", from {unit}s {settings.Skip + 1} to {storedThrough}");
        await Console.Error.WriteLineAsync(Invariant($"objlog: stored {Events(stored)}{from}; nothing from {unit} {storedThrough + 1} on. Input stopped at {unit} {lines.Number}."));
        await Console.Error.WriteLineAsync(storedThrough == 0
            ? "objlog: to try again, run the same command (nothing was stored)."
            : Invariant($"objlog: to resume there, run the same command with --skip {storedThrough}."));
        return refused is not null ? 2 : 1;
    }

    private static string Events(long count) => count switch
    {
        0 => "no events",
        1 => "1 event",
        _ => Invariant($"{count} events"),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Settings(int FlushThreshold, int MaxEventBytes, bool Raw, long Skip, LogCompression Compression)
    {
        public void Validate()
        {
            if (FlushThreshold < 1 || MaxEventBytes < 1 || Skip < 0)
            {
                throw new ArgumentException(Invariant($"--flush-threshold and --max-event-bytes must be at least 1, --skip at least 0 (given {FlushThreshold}, {MaxEventBytes}, {Skip})."));
            }
        }
    }
}
