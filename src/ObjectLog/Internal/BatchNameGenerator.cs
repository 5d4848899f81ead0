using System.Security.Cryptography;

namespace ObjectLog.Internal;

/// <summary>
/// Names one writer's batches. Names are unique without coordination (a random 64-bit writer id plus a
/// per-writer sequence) and never go backwards for one writer, even if its clock does: the time part is the
/// larger of the clock and the last time used, and the sequence breaks ties.
/// </summary>
internal sealed class BatchNameGenerator(TimeProvider timeProvider)
{
    private long _lastMicros;
    private long _sequence;

    public ulong WriterId { get; } = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    /// <summary>Returns the next name. Callers serialize calls (the log calls it under its lock).</summary>
    public string Next()
    {
        long now = (timeProvider.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
        _lastMicros = Math.Max(_lastMicros, Math.Max(now, 0));
        return LogObjectName.Batch(_lastMicros, WriterId, ++_sequence);
    }

    public static ulong NewId() => BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
}
