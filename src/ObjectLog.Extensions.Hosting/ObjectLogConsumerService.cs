using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ObjectLog.Storage;

namespace ObjectLog.Extensions.Hosting;

/// <summary>
/// Runs one named consumer of a registered log for the life of the host: it reads, hands each event to the handler
/// (retrying, then dead-lettering), and starts a new consumer instance, which waits as standby, after a fence or a
/// failure. An event counts as handled once the handler returned or its dead letter is stored: only then does the
/// service ask the consumer for the next one, which is what lets the consumer's checkpoint policy count it.
/// </summary>
internal sealed class ObjectLogConsumerService(IServiceProvider services, ConsumerStatus status, Func<IServiceProvider, ILogEventHandler> resolveHandler, ILogger logger) : BackgroundService
{
    private AppendLog? _log;
    private ObjectLogConsumerOptions? _options;
    private DeadLetterLog? _deadLetters;
    private TimeProvider _time = TimeProvider.System;

    /// <summary>Resolves the log and the settings before the host finishes starting, so a missing log fails the start with its name.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _log = services.GetKeyedService<AppendLog>(status.Log)
            ?? throw new InvalidOperationException($"The ObjectLog consumer '{status.Consumer}' reads the log '{status.Log}', which is not registered: call AddObjectLog(\"{status.Log}\", …).");
        _options = services.GetRequiredService<IOptionsMonitor<ObjectLogConsumerOptions>>().Get(ConsumerStatus.KeyOf(status.Log, status.Consumer));
        AppendLogOptions logOptions = services.GetRequiredService<IOptionsMonitor<AppendLogOptions>>().Get(status.Log);
        _time = logOptions.TimeProvider;
        IObjectStore store = services.GetRequiredKeyedService<ObjectStoreLocation>(status.Log).Store;
        _deadLetters = new DeadLetterLog(store, _options.DeadLetterPrefix ?? DeadLetterLog.DefaultPrefix(_log, status.Consumer), logOptions.Clone(), _time);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        DeadLetterLog deadLetters = _deadLetters!;
        await using (deadLetters.ConfigureAwait(false))
        {
            await RunAsync(_log!, _options!, deadLetters, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs consumer instances, one after another, until the host stops.</summary>
    private async Task RunAsync(AppendLog log, ObjectLogConsumerOptions options, DeadLetterLog deadLetters, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ConsumeAsync(log, options, deadLetters, stoppingToken).ConfigureAwait(false);
                if (stoppingToken.IsCancellationRequested)
                {
                    return;
                }

                throw new ConsumerFencedException(status.Consumer, "its read ended");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ConsumerFencedException e)
            {
                status.Failed(e);
                logger.LogWarning(e, "ObjectLog consumer '{Consumer}' of log '{Log}' lost its ownership; a new instance waits to take it again.", status.Consumer, status.Log);
            }
            catch (Exception e)
            {
                status.Failed(e);
                logger.LogError(e, "ObjectLog consumer '{Consumer}' of log '{Log}' failed; a new instance starts.", status.Consumer, status.Log);
            }

            try
            {
                await Task.Delay(Backoff(options, status.Read().FailuresInARow), _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The wait after the <paramref name="failures"/>th failure in a row: the first delay, doubled each time, at most the longest.</summary>
    internal static TimeSpan Backoff(ObjectLogConsumerOptions options, int failures)
    {
        double ticks = options.RetryDelay.Ticks * Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        return ticks >= options.MaxRetryDelay.Ticks ? options.MaxRetryDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Runs one consumer instance until the host stops, it is fenced, or it fails; disposing it commits what was handled.</summary>
    private async Task ConsumeAsync(AppendLog log, ObjectLogConsumerOptions options, DeadLetterLog deadLetters, CancellationToken stoppingToken)
    {
        LogConsumer consumer = log.CreateConsumer(status.Consumer, options.Consumer);
        status.Started(consumer, deadLetters.Prefix);
        try
        {
            await foreach (LogEvent logEvent in consumer.ReadAsync(stoppingToken).ConfigureAwait(false))
            {
                if (!await FinishAsync(logEvent, options, deadLetters, stoppingToken).ConfigureAwait(false))
                {
                    return; // stopped while the event was being handled: leaving without asking for the next keeps it unhandled
                }
            }
        }
        finally
        {
            status.Stopped(consumer);
            await CloseAsync(consumer).ConfigureAwait(false);
        }
    }

    /// <summary>Handles one event, with retries, or stores its dead letter; <see langword="false"/> when the host stopped first.</summary>
    private async Task<bool> FinishAsync(LogEvent logEvent, ObjectLogConsumerOptions options, DeadLetterLog deadLetters, CancellationToken stoppingToken)
    {
        Exception? error = null;
        for (int attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            AsyncServiceScope scope = services.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                // Resolved outside the try: a handler that cannot be built is no fault of the event, so it fails the
                // consumer (retried with back-off, and reported by the health check) instead of dead-lettering it.
                ILogEventHandler handler = resolveHandler(scope.ServiceProvider);
                try
                {
                    await handler.HandleAsync(logEvent, stoppingToken).ConfigureAwait(false);
                    status.Handled(logEvent.Position);
                    return true;
                }
                catch (Exception e) when (stoppingToken.IsCancellationRequested)
                {
                    logger.LogInformation(e, "ObjectLog consumer '{Consumer}' of log '{Log}' stopped while handling {Position}; it is not counted as handled.", status.Consumer, status.Log, logEvent.Position);
                    return false;
                }
                catch (Exception e)
                {
                    error = e;
                }
            }

            if (attempt < options.MaxAttempts)
            {
                TimeSpan delay = Backoff(options, attempt);
                logger.LogWarning(error, "ObjectLog consumer '{Consumer}' of log '{Log}': attempt {Attempt} of {MaxAttempts} to handle {Position} failed; next in {Delay}.", status.Consumer, status.Log, attempt, options.MaxAttempts, logEvent.Position, delay);
                try
                {
                    await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }
        }

        logger.LogError(error, "ObjectLog consumer '{Consumer}' of log '{Log}' failed {MaxAttempts} times to handle {Position}; it goes to the dead-letter log {DeadLetterPrefix}.", status.Consumer, status.Log, options.MaxAttempts, logEvent.Position, deadLetters.Prefix);
        try
        {
            await deadLetters.WriteAsync(status.Consumer, logEvent, error!, options.MaxAttempts, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false; // not stored for sure: the event stays unhandled, and its next owner tries it again
        }

        status.DeadLettered(logEvent.Position);
        return true;
    }

    /// <summary>Disposes <paramref name="consumer"/>, which commits what was handled and releases ownership; a failure is logged, never thrown over the reason the consumer stopped.</summary>
    private async Task CloseAsync(LogConsumer consumer)
    {
        LogPosition? committed = consumer.CommittedPosition;
        try
        {
            await consumer.DisposeAsync().ConfigureAwait(false);
        }
        catch (ConsumerFencedException e)
        {
            logger.LogWarning(e, "ObjectLog consumer '{Consumer}' of log '{Log}' was fenced before it could commit; events after {Position} may be delivered again.", status.Consumer, status.Log, committed);
        }
        catch (Exception e)
        {
            logger.LogError(e, "ObjectLog consumer '{Consumer}' of log '{Log}' could not commit or release its lease; events after {Position} may be delivered again.", status.Consumer, status.Log, committed);
        }
    }
}
