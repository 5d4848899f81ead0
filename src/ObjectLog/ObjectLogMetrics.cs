using System.Diagnostics.Metrics;

namespace ObjectLog;

/// <summary>
/// The instruments ObjectLog publishes on the <see cref="System.Diagnostics.Metrics.Meter"/> named
/// <see cref="MeterName"/>; every measurement carries the log's key prefix as the tag <c>objectlog.prefix</c>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term><c>objectlog.batches.stored</c></term><description>batches stored (one PUT each).</description></item>
/// <item><term><c>objectlog.events.stored</c></term><description>events in those batches.</description></item>
/// <item><term><c>objectlog.bytes.stored</c></term><description>bytes stored for those batches: as stored, so compressed where they are.</description></item>
/// <item><term><c>objectlog.flush.failures</c></term><description>batch PUTs that failed; their events stay buffered.</description></item>
/// <item><term><c>objectlog.flush.duration</c></term><description>milliseconds per batch PUT.</description></item>
/// <item><term><c>objectlog.buffer.pending_bytes</c></term><description>bytes in batches closed but not yet stored (the queue).</description></item>
/// <item><term><c>objectlog.compactions</c></term><description>compactions that merged objects.</description></item>
/// <item><term><c>objectlog.compaction.failures</c></term><description>background compactions that failed (the next one retries).</description></item>
/// <item><term><c>objectlog.requests</c></term><description>requests made of the store, whatever their outcome, tagged <c>kind</c>: <c>put</c>, <c>get</c>, <c>list</c> (one per page of up to 1,000 keys returned, and one for an empty listing) or <c>delete</c> (a bulk delete counts the requests it takes: one per <see cref="Storage.IObjectStore.MaxKeysPerDeleteRequest"/> keys). ObjectLog sends no HEAD requests of its own. Counted for everything a log does: writes, reads, tails, compaction, trimming.</description></item>
/// <item><term><c>objectlog.request.bytes</c></term><description>bytes sent by PUTs and received by GETs (counted when the body is closed), tagged <c>kind</c> like <c>objectlog.requests</c>.</description></item>
/// <item><term><c>objectlog.consumer.lag</c></term><description>an observable gauge, in seconds, per live <see cref="LogConsumer"/> that has delivered an event, tagged also <c>objectlog.consumer</c> (its name): the time of the newest batch it delivered minus that of the newest batch it handled (see <see cref="LogConsumer.Lag"/>).</description></item>
/// <item><term><c>objectlog.logger.dropped</c></term><description>log entries a <see cref="LogJournal"/> dropped (the <c>ObjectLog.Extensions.Logging</c> provider and the <c>Serilog.Sinks.ObjectLog</c> sink write through one), because the buffer was full or the entry was too large; logging never waits or throws.</description></item>
/// </list>
/// Measurements are made per batch or per request, never per event, so the append path pays nothing for them. The
/// activities (traces) ObjectLog starts on the <see cref="System.Diagnostics.ActivitySource"/> named
/// <see cref="ActivitySourceName"/>, and every instrument and tag, are listed in <c>docs/telemetry.md</c>.
/// </remarks>
public static class ObjectLogMetrics
{
    /// <summary>The meter's name: subscribe to it with a <see cref="MeterListener"/> or OpenTelemetry's <c>AddMeter</c>.</summary>
    public const string MeterName = "ObjectLog";

    /// <summary>
    /// The name of the <see cref="System.Diagnostics.ActivitySource"/> whose activities cover batch PUTs
    /// (<c>objectlog.flush</c>), reads (<c>objectlog.read</c>), compactions (<c>objectlog.compact</c>) and trims
    /// (<c>objectlog.trim</c>): subscribe with an <see cref="System.Diagnostics.ActivityListener"/> or OpenTelemetry's
    /// <c>AddSource</c>. Nothing is recorded while nobody listens.
    /// </summary>
    public const string ActivitySourceName = "ObjectLog";

    private static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> BatchesStored = Meter.CreateCounter<long>("objectlog.batches.stored", "{batch}");
    internal static readonly Counter<long> EventsStored = Meter.CreateCounter<long>("objectlog.events.stored", "{event}");
    internal static readonly Counter<long> BytesStored = Meter.CreateCounter<long>("objectlog.bytes.stored", "By");
    internal static readonly Counter<long> FlushFailures = Meter.CreateCounter<long>("objectlog.flush.failures", "{failure}");
    internal static readonly Histogram<double> FlushDuration = Meter.CreateHistogram<double>("objectlog.flush.duration", "ms");
    internal static readonly UpDownCounter<long> PendingBytes = Meter.CreateUpDownCounter<long>("objectlog.buffer.pending_bytes", "By");
    internal static readonly Counter<long> Compactions = Meter.CreateCounter<long>("objectlog.compactions", "{compaction}");
    internal static readonly Counter<long> CompactionFailures = Meter.CreateCounter<long>("objectlog.compaction.failures", "{failure}");
    internal static readonly Counter<long> Requests = Meter.CreateCounter<long>("objectlog.requests", "{request}");
    internal static readonly Counter<long> RequestBytes = Meter.CreateCounter<long>("objectlog.request.bytes", "By");
    internal static readonly Counter<long> LoggerDrops = Meter.CreateCounter<long>("objectlog.logger.dropped", "{entry}");
    internal static readonly ObservableGauge<double> ConsumerLag = Meter.CreateObservableGauge("objectlog.consumer.lag", Internal.ConsumerLagGauge.Observe, "s");
}
