using System.Buffers;
using System.Text.Json;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// A named consumer's state, one small JSON object per consumer (<see cref="ConsumerNames.Key"/>): where it is (its
/// checkpoint) and who owns it (its lease). Keeping both in one object makes every commit a renewal and every takeover
/// a fence: each write is a conditional update of the version its writer last saw, so once another instance has
/// written, nothing the previous owner sends can land.
/// </summary>
/// <param name="Consumer">The consumer's name.</param>
/// <param name="Position">
/// The last event handled, in the order they were delivered; or a time (<see cref="LogPosition.Before"/>) to start at;
/// <see langword="null"/> to start from the beginning of the log.
/// </param>
/// <param name="Newest">The newest batch handled whole or in part; <see langword="null"/> before any is.</param>
/// <param name="Handled">The batches handled whole within the look-back of <paramref name="Newest"/>.</param>
/// <param name="CommittedAt">When the committing instance last moved <paramref name="Position"/>, by its own clock (shown to people; decides nothing).</param>
/// <param name="Owner">The instance that holds the lease, or <see langword="null"/> if none does.</param>
/// <param name="Epoch">How many times ownership was taken: each takeover adds one.</param>
/// <param name="Lease">
/// How long the owner may go without renewing before another instance takes over: that instance judges it by how long
/// the object stays unchanged, on its own clock, never by comparing clocks.
/// </param>
internal sealed record ConsumerState(
    string Consumer,
    LogPosition? Position,
    string? Newest,
    HandledBatches Handled,
    DateTimeOffset? CommittedAt,
    string? Owner,
    long Epoch,
    TimeSpan Lease)
{
    /// <summary>The format this version writes and reads.</summary>
    public const int Format = 1;

    /// <summary>
    /// How many times the object was written: each write stores one more than the state it replaces. Renewals change
    /// nothing else, and S3's and Ceph's versions (ETags) are digests of the bytes: without this count a renewal would
    /// leave the version as it was, and a waiting instance would take it for an owner that stopped renewing.
    /// </summary>
    public long Writes { get; init; }

    /// <summary>This state as the next write of the object stores it: <see cref="Writes"/> one more.</summary>
    public ConsumerState NextWrite() => this with { Writes = Writes + 1 };

    /// <summary>
    /// The earliest batch time this consumer may still read: before it, every batch it will ever deliver is handled
    /// (a resumed tail lists from <paramref name="lookBack"/> before its newest batch). <see langword="null"/>: it has
    /// not started, so it needs the log from its beginning.
    /// </summary>
    public DateTimeOffset? NeedsFrom(TimeSpan lookBack)
    {
        if (Position is not { } position)
        {
            return null;
        }

        DateTimeOffset from = position.BatchTime;
        if (!position.IsTime)
        {
            DateTimeOffset newest = LogObjectName.TimeOf(Newest ?? position.Batch) - lookBack - StoreClock.NameBound - StoreClock.NameBound;
            from = newest < from ? newest : from;
        }

        return from;
    }

    /// <summary>Its JSON form, as stored.</summary>
    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("format", Format);
            json.WriteString("consumer", Consumer);
            WriteOrNull(json, "position", Position?.ToString());
            WriteOrNull(json, "newest", Newest);
            json.WritePropertyName("handled");
            Handled.WriteTo(json);
            WriteOrNull(json, "committed_at", CommittedAt?.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            WriteOrNull(json, "owner", Owner);
            json.WriteNumber("epoch", Epoch);
            json.WriteNumber("lease_ms", (long)Lease.TotalMilliseconds);
            json.WriteNumber("writes", Writes);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a state object.</summary>
    /// <exception cref="CorruptObjectException">It is not a consumer state this version understands; the message names the key and the problem.</exception>
    public static ConsumerState Parse(string key, ReadOnlyMemory<byte> content)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(content);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("it is not a JSON object");
            }

            int format = root.TryGetProperty("format", out JsonElement f) && f.TryGetInt32(out int n) ? n : throw new FormatException("it has no whole 'format'");
            if (format != Format)
            {
                throw new FormatException($"its format is {format}; this version reads format {Format}");
            }

            string consumer = String(root, "consumer") ?? throw new FormatException("it has no 'consumer'");
            LogPosition? position = String(root, "position") is { } p
                ? LogPosition.TryParse(p, out LogPosition parsed) ? parsed : throw new FormatException($"its position '{p}' is not a log position")
                : null;
            string? newest = String(root, "newest");
            if (newest is not null && LogObjectName.WhyNotABatch(newest) is { } problem)
            {
                throw new FormatException($"its newest batch: {problem}");
            }

            HandledBatches handled = root.TryGetProperty("handled", out JsonElement h) ? HandledBatches.Read(h) : new HandledBatches();
            DateTimeOffset? committedAt = String(root, "committed_at") is { } c
                ? DateTimeOffset.TryParse(c, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset at) ? at : throw new FormatException($"its committed_at '{c}' is not a time")
                : null;
            long epoch = root.TryGetProperty("epoch", out JsonElement e) && e.TryGetInt64(out long ep) && ep >= 0 ? ep : throw new FormatException("it has no whole 'epoch' from 0");
            long leaseMs = root.TryGetProperty("lease_ms", out JsonElement l) && l.TryGetInt64(out long ms) && ms > 0 ? ms : throw new FormatException("it has no whole 'lease_ms' above 0");
            long writes = !root.TryGetProperty("writes", out JsonElement w) ? 0 : w.TryGetInt64(out long count) && count >= 0 ? count : throw new FormatException("its 'writes' is not a whole number from 0");
            return new ConsumerState(consumer, position, newest, handled, committedAt, String(root, "owner"), epoch, TimeSpan.FromMilliseconds(leaseMs)) { Writes = writes };
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new CorruptObjectException(key, $"it is not a consumer's state ({e.Message}); it was left as it is, and nothing is committed over it until it is repaired or reset", e);
        }
    }

    private static string? String(JsonElement root, string property)
        => root.TryGetProperty(property, out JsonElement v) && v.ValueKind != JsonValueKind.Null
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw new FormatException($"its '{property}' is not a string")
            : null;

    private static void WriteOrNull(Utf8JsonWriter json, string property, string? value)
    {
        if (value is null)
        {
            json.WriteNull(property);
        }
        else
        {
            json.WriteString(property, value);
        }
    }
}
