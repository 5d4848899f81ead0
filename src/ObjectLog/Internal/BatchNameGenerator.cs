using System.Security.Cryptography;

namespace ObjectLog.Internal;

/// <summary>
/// Names one writer's batches. Names are unique without coordination (a random 64-bit writer id plus a
/// per-writer sequence) and never go backwards for one writer, even if its clock does: the time part is the
/// larger of the clock and the last time used, and the sequence breaks ties. The clock is this machine's, held
/// within <see cref="StoreClock.NameBound"/> of the store's once that is known.
/// </summary>
internal sealed class BatchNameGenerator(StoreClock clock)
{
    private long _lastMicros;
    private long _sequence;

    public ulong WriterId { get; } = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    /// <summary>Returns the next name. Callers serialize calls (the log calls it under its lock).</summary>
    public string Next()
    {
        _lastMicros = Math.Max(_lastMicros, clock.NameMicroseconds());
        return LogObjectName.Batch(_lastMicros, WriterId, ++_sequence);
    }

    /// <summary>
    /// Forgets the last time used, so names follow the clock again even where it went back. Only for a writer none of
    /// whose names has been stored or seen by a reader yet: it renames all of them, in order, right after.
    /// </summary>
    public void Restart() => _lastMicros = 0;

    /// <summary>Whether a name's time is outside the bound around the store's clock (as now estimated).</summary>
    public bool IsOutOfBound(string name)
        => clock.Estimate() is { } store && (LogObjectName.TimeOf(name) - store).Duration() > StoreClock.NameBound + TimeSpan.FromSeconds(1);

    public static ulong NewId() => BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
}
