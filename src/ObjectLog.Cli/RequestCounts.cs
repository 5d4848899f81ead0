namespace ObjectLog.Cli;

/// <summary>Requests by kind (LIST in pages), and the bytes PUTs sent and GETs received.</summary>
internal readonly record struct RequestCounts(long Put, long Get, long List, long Delete, long BytesSent, long BytesReceived)
{
    /// <summary>The requests made between <paramref name="before"/> and <paramref name="after"/>.</summary>
    public static RequestCounts operator -(RequestCounts after, RequestCounts before)
        => new(after.Put - before.Put, after.Get - before.Get, after.List - before.List, after.Delete - before.Delete, after.BytesSent - before.BytesSent, after.BytesReceived - before.BytesReceived);
}
