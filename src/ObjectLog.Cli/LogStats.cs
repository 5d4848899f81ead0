using ObjectLog.Storage;

namespace ObjectLog.Cli;

/// <summary>
/// What <c>objlog stats</c> reports: a log's objects, events and time span, the requests the command made to find
/// out, and what the log costs a month at a <see cref="PriceTable"/>. Its JSON form (snake_case names) is stable.
/// </summary>
/// <param name="Log">The log's key prefix.</param>
/// <param name="Objects">Every object under the prefix, by state.</param>
/// <param name="Events">Stored events a full read returns.</param>
/// <param name="EventBytes">Their bytes, newlines included: the raw size of what <see cref="ObjectCounts.DataBytes"/> stores.</param>
/// <param name="StoredRatio">
/// <see cref="ObjectCounts.DataBytes"/> over <see cref="EventBytes"/>: what a byte of events takes in the store (below 1
/// when compression pays, 1 for plain objects); <see langword="null"/> for an empty log.
/// </param>
/// <param name="Batches">Batches they are in.</param>
/// <param name="FirstBatchTime">The time of the first batch; <see langword="null"/> for an empty log.</param>
/// <param name="LastBatchTime">The time of the last batch; <see langword="null"/> for an empty log.</param>
/// <param name="Requests">The requests this command made: a listing, then one full read.</param>
/// <param name="Cost">The estimate.</param>
internal sealed record LogStats(
    string Log,
    ObjectCounts Objects,
    long Events,
    long EventBytes,
    double? StoredRatio,
    long Batches,
    DateTimeOffset? FirstBatchTime,
    DateTimeOffset? LastBatchTime,
    RequestCounts Requests,
    CostEstimate Cost)
{
    /// <summary>The shortest and longest window the write rate is measured over.</summary>
    private static readonly TimeSpan MinWindow = TimeSpan.FromMinutes(1), MaxWindow = TimeSpan.FromHours(1);

    /// <summary>Lists the log, reads it whole once, and prices what it found, counting its own requests on the way.</summary>
    public static async Task<LogStats> GatherAsync(IObjectStore store, string logPrefix, PriceTable prices, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var log = new AppendLog(store, logPrefix, new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan });
        using var tally = new RequestTally(log.KeyPrefix);
        ObjectCounts objects = ObjectCounts.Of(await log.ListStoredObjectsAsync(cancellationToken));

        RequestCounts beforeRead = tally.Counts;
        long events = 0, bytes = 0, batches = 0, recent = 0;
        string? batch = null;
        DateTimeOffset? first = null, last = null, windowStart = null;
        await foreach (LogEvent e in log.ReadEventsAsync(null, cancellationToken))
        {
            events++;
            bytes += e.Data.Length + 1;
            if (e.Position.Batch == batch)
            {
                continue;
            }

            batch = e.Position.Batch;
            batches++;
            last = e.Position.BatchTime;
            if (first is null)
            {
                // The write rate is the last hour's, or the whole life's of a log younger than that.
                first = last;
                windowStart = now - Clamp(now - first.Value);
            }

            recent += last >= windowStart ? 1 : 0;
        }

        RequestCounts fullRead = tally.Counts - beforeRead;
        TimeSpan window = first is null ? MaxWindow : Clamp(now - first.Value);
        var cost = CostEstimate.Of(prices, recent / window.TotalHours, window, objects, bytes, fullRead);
        double? ratio = bytes == 0 ? null : objects.DataBytes / (double)bytes;
        return new LogStats(log.KeyPrefix, objects, events, bytes, ratio, batches, first, last, tally.Counts, cost);
    }

    private static TimeSpan Clamp(TimeSpan age) => age < MinWindow ? MinWindow : age > MaxWindow ? MaxWindow : age;
}
