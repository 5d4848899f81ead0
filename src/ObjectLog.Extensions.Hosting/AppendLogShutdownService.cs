using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ObjectLog.Storage;

namespace ObjectLog.Extensions.Hosting;

/// <summary>
/// When the host stops, stores and closes every log registered with <c>AddObjectLog</c> that was used, all at once,
/// within the host's shutdown timeout (the token <see cref="StopAsync"/> gets), and logs each log it could not store
/// with how many bytes stayed behind and why. Reads still work on a closed log; appends do not. A log it could not
/// store is released: the container's dispose that follows does not retry, so the host's dispose never throws the
/// store's error; it waits for a close still under way (a store that answers late gets the rest).
/// </summary>
internal sealed class AppendLogShutdownService(RegisteredLogs logs, ILogger<AppendLogShutdownService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
        => Task.WhenAll(logs.Created().Select(entry => CloseAsync(entry.Key, entry.Value, cancellationToken)));

    private async Task CloseAsync(string name, AppendLog log, CancellationToken cancellationToken)
    {
        Task closing = log.DisposeAsync().AsTask();
        try
        {
            await closing.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            logger.LogError("ObjectLog log '{Name}' ({Prefix}) was not stored within the shutdown timeout: {Bytes} bytes are still buffered.", name, log.KeyPrefix, log.BufferedBytes);
            log.ReleaseAfterFailedClose(closing);
        }
        catch (ObjectStoreException e)
        {
            logger.LogError(e, "ObjectLog log '{Name}' ({Prefix}) could not be stored at shutdown: {Bytes} bytes are still buffered.", name, log.KeyPrefix, log.BufferedBytes);
            log.ReleaseAfterFailedClose(closing);
        }
    }
}
