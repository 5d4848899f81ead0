namespace ObjectLog.Extensions.Hosting;

/// <summary>
/// Handles the events a hosted named consumer delivers (see <c>AddObjectLogConsumer</c>). The service resolves the
/// handler from a new dependency-injection scope for each attempt, so a scoped dependency (a database context) is
/// fresh on every retry; register it yourself with another lifetime if it must live longer.
/// </summary>
/// <remarks>
/// Delivery is at least once: an event the handler finished may be delivered again after a crash, a takeover or a
/// commit that failed, so handling must be idempotent. An event is handled when <see cref="HandleAsync"/> returns;
/// when it throws, the service retries, then writes the event to the consumer's dead-letter log and moves on.
/// </remarks>
public interface ILogEventHandler
{
    /// <summary>Handles one event; returns when it is handled, throws when it could not be.</summary>
    /// <param name="logEvent">The event, with its position in the log.</param>
    /// <param name="cancellationToken">Cancelled when the host stops: an attempt that then throws is not counted as handled, and the event is delivered again to the next owner.</param>
    Task HandleAsync(LogEvent logEvent, CancellationToken cancellationToken);
}
