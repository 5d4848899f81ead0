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
}
