using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ObjectLog.Cli;

/// <summary>
/// Sums <c>objectlog.requests</c> and <c>objectlog.request.bytes</c> for one log prefix, by request kind, while it
/// lives: what a command or a benchmark made of the store, read back from the bill every log keeps.
/// </summary>
internal sealed class RequestTally : IDisposable
{
    private readonly ConcurrentDictionary<string, long> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private readonly MeterListener _listener = new();

    /// <param name="logPrefix">The log's key prefix as <see cref="AppendLog.KeyPrefix"/> gives it (ending in <c>/</c>).</param>
    public RequestTally(string logPrefix)
        : this(prefix => prefix == logPrefix)
    {
    }

    /// <param name="counts">Which logs' requests to sum, by key prefix as <see cref="AppendLog.KeyPrefix"/> gives it.</param>
    public RequestTally(Func<string, bool> counts)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ObjectLogMetrics.MeterName && instrument.Name is "objectlog.requests" or "objectlog.request.bytes")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? prefix = null, kind = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                prefix = tag.Key == "objectlog.prefix" ? tag.Value as string : prefix;
                kind = tag.Key == "kind" ? tag.Value as string : kind;
            }

            if (prefix is not null && kind is not null && counts(prefix))
            {
                (instrument.Name == "objectlog.requests" ? _requests : _bytes).AddOrUpdate(kind, value, (_, sum) => sum + value);
            }
        });
        _listener.Start();
    }

    /// <summary>The counts so far.</summary>
    public RequestCounts Counts => new(
        _requests.GetValueOrDefault("put"),
        _requests.GetValueOrDefault("get"),
        _requests.GetValueOrDefault("list"),
        _requests.GetValueOrDefault("delete"),
        _bytes.GetValueOrDefault("put"),
        _bytes.GetValueOrDefault("get"));

    public void Dispose() => _listener.Dispose();
}
