using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ObjectLog.Tests.Log;

/// <summary>Sums every ObjectLog measurement tagged with one log prefix, by instrument name, while it lives.</summary>
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
            foreach (var tag in tags)
            {
                if (tag.Key == "objectlog.prefix" && (string?)tag.Value == prefix)
                {
                    _totals.AddOrUpdate(instrument.Name, value, (_, v) => v + value);
                }
            }
        }

        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _listener.Start();
    }

    /// <summary>The sum of an instrument's measurements so far; 0 if none.</summary>
    public double this[string instrument] => _totals.GetValueOrDefault(instrument);

    public void Dispose() => _listener.Dispose();
}
