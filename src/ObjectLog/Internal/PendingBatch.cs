namespace ObjectLog.Internal;

/// <summary>A copy of a batch not yet known to be stored, taken for a read so the read can include it.</summary>
internal sealed record PendingBatch(string Name, ReadOnlyMemory<byte> Data);
