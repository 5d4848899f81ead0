using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ObjectLog.Extensions.Hosting;

/// <summary>
/// The health of one hosted consumer, from what its service saw (<see cref="ConsumerStatus"/>) and what its consumer
/// instance knows: Unhealthy after <see cref="FailuresInARow"/> instances in a row failed or were fenced with no event
/// finished, or while the last <see cref="DeadLetterStreak"/> events all went to the dead-letter log; Degraded while it
/// is not running, while it does not own the name (standby), or while its lag is over the limit; Healthy
/// otherwise. It makes no request to the store.
/// </summary>
internal sealed class ObjectLogConsumerHealthCheck(IServiceProvider services, string log, string consumer, TimeSpan maxLag) : IHealthCheck
{
    /// <summary>The default limit on lag for Healthy.</summary>
    public static readonly TimeSpan DefaultMaxLag = TimeSpan.FromMinutes(1);

    /// <summary>Consumer instances failed or fenced in a row, with no event finished, that make the consumer Unhealthy.</summary>
    public const int FailuresInARow = 3;

    /// <summary>Events dead-lettered in a row that make the consumer Unhealthy: the handler fails on everything.</summary>
    public const int DeadLetterStreak = 10;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetKeyedService<ConsumerStatus>(ConsumerStatus.KeyOf(log, consumer)) is not { } status)
        {
            var missing = new InvalidOperationException($"No consumer '{consumer}' of the ObjectLog log '{log}' is registered: call AddObjectLogConsumer<THandler>(\"{log}\", \"{consumer}\").");
            return Result(new HealthCheckResult(context.Registration.FailureStatus, missing.Message, missing));
        }

        ConsumerStatus.Snapshot seen = status.Read();
        LogConsumer? running = seen.Current;
        bool owner = running?.IsOwner ?? false;
        TimeSpan? lag = running?.Lag;
        var data = new Dictionary<string, object>
        {
            ["log"] = log,
            ["consumer"] = consumer,
            ["running"] = running is not null,
            ["owner"] = owner,
            ["handled"] = seen.Handled,
            ["deadLettered"] = seen.DeadLettered,
            ["deadLetterStreak"] = seen.DeadLetterStreak,
            ["failuresInARow"] = seen.FailuresInARow,
            ["maxLagSeconds"] = maxLag.TotalSeconds,
        };
        if (running is not null)
        {
            data["ownerId"] = running.OwnerId;
            if (running.CommittedPosition is { } committed)
            {
                data["committedPosition"] = committed.ToString();
            }
        }

        if (lag is { } known)
        {
            data["lagSeconds"] = known.TotalSeconds;
        }

        if (seen.LastHandled is { } last)
        {
            data["lastHandledPosition"] = last.ToString();
        }

        if (seen.DeadLetterPrefix is { } prefix)
        {
            data["deadLetterPrefix"] = prefix;
        }

        string who = $"ObjectLog consumer '{consumer}' of log '{log}'";
        if (seen.FailuresInARow >= FailuresInARow)
        {
            return Result(new HealthCheckResult(context.Registration.FailureStatus, $"{who} failed or lost its ownership {seen.FailuresInARow} times in a row: {seen.LastFailure?.Message}", seen.LastFailure, data));
        }

        if (seen.DeadLetterStreak >= DeadLetterStreak)
        {
            return Result(new HealthCheckResult(context.Registration.FailureStatus, $"{who}: the last {seen.DeadLetterStreak} events all failed and went to the dead-letter log {seen.DeadLetterPrefix}.", data: data));
        }

        if (running is null)
        {
            return Result(HealthCheckResult.Degraded($"{who} is not running.", data: data));
        }

        if (!owner)
        {
            return Result(HealthCheckResult.Degraded($"{who} is standby: it does not own its name (another instance holds it, or it is still taking it).", data: data));
        }

        if (lag > maxLag)
        {
            return Result(HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture, $"{who} is {lag.Value.TotalSeconds:0.#} s behind, more than {maxLag.TotalSeconds:0.#} s."), data: data));
        }

        return Result(HealthCheckResult.Healthy($"{who} owns its name and keeps up.", data));
    }

    private static Task<HealthCheckResult> Result(HealthCheckResult result) => Task.FromResult(result);
}
