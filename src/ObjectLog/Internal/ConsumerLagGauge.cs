using System.Diagnostics.Metrics;

namespace ObjectLog.Internal;

/// <summary>
/// The live consumers whose <see cref="LogConsumer.Lag"/> the gauge <c>objectlog.consumer.lag</c> reports, each
/// with its tags; a consumer is registered when created and unregistered when disposed. The table holds consumers
/// weakly, so one that is dropped without being disposed is forgotten when it is collected rather than kept alive.
/// </summary>
internal static class ConsumerLagGauge
{
    private static readonly Lock Gate = new();
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<LogConsumer, KeyValuePair<string, object?>[]> Live = new();

    public static void Register(LogConsumer consumer, params KeyValuePair<string, object?>[] tags)
    {
        lock (Gate)
        {
            Live.AddOrUpdate(consumer, tags);
        }
    }

    public static void Unregister(LogConsumer consumer)
    {
        lock (Gate)
        {
            Live.Remove(consumer);
        }
    }

    /// <summary>One measurement in seconds per live consumer that has delivered an event.</summary>
    public static IEnumerable<Measurement<double>> Observe()
    {
        KeyValuePair<LogConsumer, KeyValuePair<string, object?>[]>[] live;
        lock (Gate)
        {
            live = [.. Live];
        }

        foreach ((LogConsumer consumer, KeyValuePair<string, object?>[] tags) in live)
        {
            if (consumer.Lag is { } lag)
            {
                yield return new Measurement<double>(lag.TotalSeconds, tags);
            }
        }
    }
}
