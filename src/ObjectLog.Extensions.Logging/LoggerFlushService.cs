using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ObjectLog.Storage;

namespace ObjectLog.Extensions.Logging;

/// <summary>
/// Stores the journal's buffered entries when the host stops, so entries logged before <c>StopAsync</c> are in the
/// store when it returns; entries logged later are stored when the provider is disposed. If the host's shutdown
/// timeout ends the wait, disposing the provider does not wait for the store again (see <see cref="LogJournal.FlushAsync"/>).
/// </summary>
internal sealed class LoggerFlushService(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (ILoggerProvider provider in services.GetServices<ILoggerProvider>())
        {
            if (provider is ObjectLogLoggerProvider journal)
            {
                try
                {
                    await journal.Journal.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is ObjectStoreException or OperationCanceledException)
                {
                    // Kept buffered: disposing the provider tries again (not at all if the stop ran out of time), and reports what it cannot store.
                }
            }
        }
    }
}
