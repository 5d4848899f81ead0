using System.CommandLine;
using System.CommandLine.Parsing;

namespace ObjectLog.Cli;

/// <summary>
/// <c>--after</c>, <c>--since</c>, <c>--until</c> and <c>--positions</c> on the commands that print events (<c>cat</c>,
/// <c>tail</c>): where reading starts and stops, and whether each event is printed with its position.
/// </summary>
internal static class ReadOptions
{
    public static readonly Option<string?> After = new("--after")
    {
        Description = "Start after this position (as printed by --positions): a consumer's checkpoint.",
    };

    public static readonly Option<string?> Since = new("--since")
    {
        Description = "Start at this time: batches stored with a time at or after it (2026-11-25T10:00:00Z, or a span before the store's time: 30m, 1h, 2d).",
    };

    public static readonly Option<string?> Until = new("--until")
    {
        Description = "Stop before this time (same forms as --since).",
    };

    public static readonly Option<bool> Positions = new("--positions")
    {
        Description = "Print each event's position, a tab, then the event.",
    };

    /// <summary>The <c>--after</c> position, checked in full (a batch name's digits and time too), so a bad one is a usage error before the store is opened.</summary>
    /// <exception cref="ArgumentException">It is not a position; the message says why.</exception>
    public static LogPosition? ParseAfter(SymbolResult result)
        => result.GetValue(After) is { } text
            ? LogPosition.TryParse(text, out LogPosition p) ? p : throw new ArgumentException($"--after: '{text}' is not a position (as printed by --positions: BATCH:LINE): {WhyNotAPosition(text)}.")
            : null;

    /// <summary>Why <paramref name="text"/> is not a position, as <see cref="LogPosition.Parse"/> says it after its own preamble.</summary>
    private static string WhyNotAPosition(string text)
    {
        try
        {
            LogPosition.Parse(text);
            return "it is one";
        }
        catch (FormatException e)
        {
            string preamble = $"'{text}' is not a log position (BATCH:LINE): ";
            return e.Message.StartsWith(preamble, StringComparison.Ordinal) ? e.Message[preamble.Length..].TrimEnd('.') : e.Message;
        }
    }

    /// <summary>
    /// What a span ago (<c>--since 30m</c>) counts back from: the store's time, the clock every writer's batch names
    /// are held to, so a machine whose clock is off reads the same events as one whose clock is right. It is read only
    /// when a span was given (a time needs no clock).
    /// </summary>
    public static async ValueTask<DateTimeOffset> SpanOriginAsync(AppendLog log, CancellationToken cancellationToken, params string?[] values)
        => values.Any(v => v is not null && TimeArgument.IsSpan(v)) ? await log.GetStoreTimeAsync(cancellationToken) : DateTimeOffset.UtcNow;
}
