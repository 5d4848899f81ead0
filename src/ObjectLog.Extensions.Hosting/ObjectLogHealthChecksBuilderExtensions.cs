using Microsoft.Extensions.Diagnostics.HealthChecks;
using ObjectLog;
using ObjectLog.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks for ObjectLog logs registered with <c>AddObjectLog</c>.</summary>
public static class ObjectLogHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check, named <c>objectlog-{name}</c>, for the log registered as <paramref name="name"/>. It is
    /// <see cref="HealthStatus.Unhealthy"/> while the log's last batch PUT failed and none has succeeded since
    /// (<see cref="AppendLog.LastStoreFailure"/>, given as the result's exception), <see cref="HealthStatus.Degraded"/>
    /// while the buffer holds more than 80% of <see cref="AppendLogOptions.MaxBufferedBytes"/>, and
    /// <see cref="HealthStatus.Healthy"/> otherwise; its data has the prefix, <c>bufferedBytes</c> and
    /// <c>maxBufferedBytes</c>. It sends no request to the store, so it is cheap to poll; it opens the log if
    /// nothing has resolved it yet.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="name">The name the log was registered with.</param>
    /// <param name="tags">Tags for filtering the check, such as <c>ready</c>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public static IHealthChecksBuilder AddObjectLog(this IHealthChecksBuilder builder, string name, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return builder.Add(new HealthCheckRegistration($"objectlog-{name}", provider => new ObjectLogHealthCheck(provider, name), failureStatus: null, tags));
    }

    /// <summary>
    /// Adds a health check, named <c>objectlog-{logName}-{consumerName}</c>, for a consumer registered with
    /// <c>AddObjectLogConsumer</c>. It is <see cref="HealthStatus.Unhealthy"/> after 3 consumer instances in a row
    /// failed or were fenced with no event finished in between (the last error is the result's exception), or while
    /// the last 10 events all went to the dead-letter log; <see cref="HealthStatus.Degraded"/> while the consumer is
    /// not running, while it does not own its name (standby: another instance holds it, or it is still taking it), or while it is more than
    /// <paramref name="maxLag"/> behind the newest stored batch; <see cref="HealthStatus.Healthy"/> otherwise. Its data
    /// has <c>log</c>, <c>consumer</c>, <c>running</c>, <c>owner</c>, <c>ownerId</c>, <c>committedPosition</c>,
    /// <c>lagSeconds</c>, <c>maxLagSeconds</c>, <c>lastHandledPosition</c>, <c>handled</c>, <c>deadLettered</c>,
    /// <c>deadLetterStreak</c>, <c>failuresInARow</c> and <c>deadLetterPrefix</c>, where known. It sends no request to
    /// the store.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="logName">The name the log was registered with.</param>
    /// <param name="consumerName">The consumer's name.</param>
    /// <param name="maxLag">The most lag that is Healthy. Default <see langword="null"/>: 1 minute.</param>
    /// <param name="tags">Tags for filtering the check, such as <c>ready</c>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="logName"/> or <paramref name="consumerName"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLag"/> is not positive.</exception>
    /// <remarks>A check of a consumer that was not registered with <c>AddObjectLogConsumer</c> fails with an error that says so.</remarks>
    public static IHealthChecksBuilder AddObjectLogConsumer(this IHealthChecksBuilder builder, string logName, string consumerName, TimeSpan? maxLag = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(logName);
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerName);
        if (maxLag <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLag), maxLag, "The lag limit must be positive.");
        }

        TimeSpan limit = maxLag ?? ObjectLogConsumerHealthCheck.DefaultMaxLag;
        return builder.Add(new HealthCheckRegistration($"objectlog-{logName}-{consumerName}", provider => new ObjectLogConsumerHealthCheck(provider, logName, consumerName, limit), failureStatus: null, tags));
    }
}
