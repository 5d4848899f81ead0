using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using ObjectLog.Internal;

namespace ObjectLog;

/// <summary>
/// Where an event sits in a log: the name of the batch that holds it and its line within that batch (from 0).
/// Stable for the life of the log: compaction moves bytes, not positions. Positions order as the log does, so one
/// serves as a consumer's checkpoint; its text form (<c>{batch}:{line}</c>) can be stored and parsed back.
/// </summary>
public readonly record struct LogPosition : IComparable<LogPosition>
{
    private const long LastSequence = 999_999_999_999;

    /// <summary>Creates a position.</summary>
    /// <exception cref="ArgumentException"><paramref name="batch"/> is not a batch name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="line"/> is negative.</exception>
    public LogPosition(string batch, int line)
    {
        if (!LogObjectName.TryParse(batch, out LogObjectName parsed) || parsed.Kind != LogObjectKind.Batch)
        {
            throw new ArgumentException($"'{batch}' is not a batch name (batch_<19 digits>[-<writer>-<sequence>][.c<crc>].jsonl).", nameof(batch));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(line);
        Batch = parsed.First; // a stored key's checksum is not part of the batch's identity
        Line = line;
    }

    /// <summary>Creates a position from a name the log itself produced, without checking it.</summary>
    internal LogPosition(string batch, int line, bool trusted)
    {
        Debug.Assert(trusted, "only for names that came from a listing or a manifest");
        Batch = batch;
        Line = line;
    }

    /// <summary>The batch's name (relative to the log's prefix), such as <c>batch_0001764000000000000-1f0c2a3b4c5d6e7f-000000000001.jsonl</c>.</summary>
    public string Batch { get; }

    /// <summary>The event's line within its batch, from 0.</summary>
    public int Line { get; }

    /// <summary>The writer's clock when the batch was closed.</summary>
    public DateTimeOffset BatchTime => LogObjectName.TimeOf(Batch);

    /// <summary>
    /// The position just before <paramref name="time"/>: after every batch whose time is earlier and before every
    /// batch whose time is <paramref name="time"/> or later (to the microsecond, rounded down). Reading or tailing
    /// after it starts at that time: <c>log.TailAsync(LogPosition.Before(DateTimeOffset.UtcNow.AddHours(-1)))</c>.
    /// It names no stored batch (its writer id is all ones and its line the largest), so no event is at it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="time"/> is not after 1970-01-01T00:00:00.000001Z.</exception>
    public static LogPosition Before(DateTimeOffset time)
    {
        long microseconds = LogObjectName.Microseconds(time);
        if (microseconds < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(time), time, "A log's times start after 1970-01-01T00:00:00.000001Z.");
        }

        return new LogPosition(LogObjectName.Batch(microseconds - 1, ulong.MaxValue, LastSequence), int.MaxValue, trusted: true);
    }

    /// <summary>Whether this is a time made by <see cref="Before"/> rather than an event's position: reads after it start exactly there.</summary>
    internal bool IsTime => Line == int.MaxValue && Batch.Contains("-ffffffffffffffff-", StringComparison.Ordinal);

    /// <summary>Parses the text form, <c>{batch}:{line}</c>.</summary>
    /// <exception cref="FormatException">
    /// The text is not a position: it has no line, its line is not a whole number from 0 to <see cref="int.MaxValue"/>,
    /// or its batch is not a batch name (ASCII digits only, and a time no later than 9999-12-31T23:59:59.999999Z).
    /// The message says which.
    /// </exception>
    public static LogPosition Parse(string text)
        => TryParse(text, out LogPosition position) ? position : throw new FormatException($"'{text}' is not a log position (BATCH:LINE): {WhyNot(text)}.");

    /// <summary>Parses the text form, <c>{batch}:{line}</c>; <see langword="false"/> where <see cref="Parse"/> throws.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out LogPosition position)
    {
        position = default;
        int colon = text?.LastIndexOf(':') ?? -1;
        if (colon < 0
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int line)
            || !LogObjectName.TryParse(text![..colon], out LogObjectName parsed) || parsed.Kind != LogObjectKind.Batch)
        {
            return false;
        }

        position = new LogPosition(parsed.First, line, trusted: true); // a stored key's checksum is not part of the batch's identity
        return true;
    }

    /// <summary>Why <paramref name="text"/> is not a position, as a phrase for a message (such as the CLI's); <see langword="null"/> if it is one.</summary>
    internal static string? WhyNot(string? text)
    {
        if (TryParse(text, out _))
        {
            return null;
        }

        int colon = text?.LastIndexOf(':') ?? -1;
        if (colon < 0)
        {
            return "it has no ':LINE' after its batch";
        }

        return !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? $"its line, '{text![(colon + 1)..]}', is not a whole number from 0 to {int.MaxValue}"
            : LogObjectName.WhyNotABatch(text![..colon]) ?? "its batch is not a batch name";
    }

    /// <inheritdoc />
    public int CompareTo(LogPosition other)
    {
        int byBatch = string.CompareOrdinal(Batch, other.Batch);
        return byBatch != 0 ? byBatch : Line.CompareTo(other.Line);
    }

    /// <summary>The text form, <c>{batch}:{line}</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Batch}:{Line}");

    /// <summary>Whether <paramref name="left"/> comes before <paramref name="right"/>.</summary>
    public static bool operator <(LogPosition left, LogPosition right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> comes after <paramref name="right"/>.</summary>
    public static bool operator >(LogPosition left, LogPosition right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> comes before or is <paramref name="right"/>.</summary>
    public static bool operator <=(LogPosition left, LogPosition right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> comes after or is <paramref name="right"/>.</summary>
    public static bool operator >=(LogPosition left, LogPosition right) => left.CompareTo(right) >= 0;
}
