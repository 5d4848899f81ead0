using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ObjectLog.Tests.Log;

/// <summary>Sums every ObjectLog measurement tagged with one log prefix, by instrument name (and by instrument and <c>kind</c> tag, where there is one), while it lives.</summary>
public sealed class MetricTotals : IDisposable
{
    private readonly ConcurrentDictionary<string, double> _totals = new();
    private readonly MeterListener _listener = new();

    public MetricTotals(string prefix)
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ObjectLogMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            bool ours = false;
            string? kind = null;
            foreach (var tag in tags)
            {
                ours |= tag.Key == "objectlog.prefix" && (string?)tag.Value == prefix;
                kind = tag.Key == "kind" ? (string?)tag.Value : kind;
            }

            if (ours)
            {
                _totals.AddOrUpdate(instrument.Name, value, (_, v) => v + value);
                if (kind is not null)
                {
                    _totals.AddOrUpdate($"{instrument.Name}/{kind}", value, (_, v) => v + value);
                }
            }
        }

        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _listener.Start();
    }

    /// <summary>The sum of an instrument's measurements so far; 0 if none.</summary>
    public double this[string instrument] => _totals.GetValueOrDefault(instrument);

    /// <summary>The sum of an instrument's measurements tagged <c>kind</c> = <paramref name="kind"/> so far; 0 if none.</summary>
    public double this[string instrument, string kind] => _totals.GetValueOrDefault($"{instrument}/{kind}");

    public void Dispose() => _listener.Dispose();
}
