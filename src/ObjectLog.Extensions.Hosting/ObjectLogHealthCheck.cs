using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ObjectLog.Extensions.Hosting;

/// <summary>
/// The health of one registered log: Unhealthy while its last batch PUT failed (<see cref="AppendLog.LastStoreFailure"/>),
/// Degraded while its buffer holds more than <see cref="DegradedFraction"/> of <see cref="AppendLogOptions.MaxBufferedBytes"/>
/// (appends will soon wait, and a logger drops), Healthy otherwise. It makes no request to the store: it reports
/// what the log's own traffic found.
/// </summary>
internal sealed class ObjectLogHealthCheck(IServiceProvider services, string name) : IHealthCheck
{
    /// <summary>The share of the buffer limit above which a log is Degraded.</summary>
    public const double DegradedFraction = 0.8;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        AppendLog log = services.GetRequiredKeyedService<AppendLog>(name);
        long limit = services.GetRequiredService<IOptionsMonitor<AppendLogOptions>>().Get(name).MaxBufferedBytes;
        long buffered = log.BufferedBytes;
        var data = new Dictionary<string, object>
        {
            ["prefix"] = log.KeyPrefix,
            ["bufferedBytes"] = buffered,
            ["maxBufferedBytes"] = limit,
        };
        if (log.LastStoreFailure is { } failure)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, $"ObjectLog log '{name}': the last batch PUT failed; {buffered} bytes wait to be stored.", failure, data));
        }

        if (buffered > limit * DegradedFraction)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"ObjectLog log '{name}': the buffer is {buffered * 100 / limit}% full ({buffered} of {limit} bytes).", data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy($"ObjectLog log '{name}' stores its batches.", data));
    }
}
