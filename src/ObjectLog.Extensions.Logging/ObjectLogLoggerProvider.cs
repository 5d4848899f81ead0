using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ObjectLog.Extensions.Logging;

/// <summary>
/// Writes log entries through a <see cref="LogJournal"/>: logging never waits for the store and never throws; an entry
/// that does not fit is dropped and counted (<c>objectlog.logger.dropped</c>), and the first drop is reported once as a
/// warning through the application's other providers.
/// </summary>
/// <remarks>
/// ObjectLog's own diagnostics (the categories <c>ObjectLog.AppendLog</c> and this provider's) are not written to
/// the journal: a failing store would otherwise feed itself. Disposing the provider disposes the journal, and what it
/// could not store is reported on stderr, since by then the container and the other providers are disposed.
/// </remarks>
[ProviderAlias("ObjectLog")]
internal sealed class ObjectLogLoggerProvider : ILoggerProvider, ISupportExternalScope, IAsyncDisposable
{
    internal const string DiagnosticsCategory = "ObjectLog.Extensions.Logging";

    private readonly LogJournal _journal;
    private readonly DeferredLoggerFactory _diagnostics;
    private readonly bool _includeScopes;
    private IExternalScopeProvider? _scopes;

    /// <param name="options">The settings; <see cref="ObjectLogLoggerOptions.StoreUrl"/> is required.</param>
    /// <param name="loggerFactory">The application's logger factory, asked for only when there is something to report (it is being built when providers are).</param>
    /// <exception cref="InvalidOperationException">No store URL is configured.</exception>
    /// <exception cref="ArgumentException">The store URL is malformed (the message names the problem, never a secret).</exception>
    public ObjectLogLoggerProvider(IOptions<ObjectLogLoggerOptions> options, Func<ILoggerFactory?> loggerFactory)
    {
        ObjectLogLoggerOptions o = options.Value;
        if (string.IsNullOrWhiteSpace(o.StoreUrl))
        {
            throw new InvalidOperationException("The ObjectLog logger needs a store URL: set Logging:ObjectLog:StoreUrl in configuration (the environment variable Logging__ObjectLog__StoreUrl), or pass one to AddObjectLog.");
        }

        _diagnostics = new DeferredLoggerFactory(loggerFactory);
        _includeScopes = o.IncludeScopes;
        _journal = new LogJournal(o.StoreUrl, o, Report, _diagnostics);
    }

    /// <summary>The journal, for the host's stop and for tests.</summary>
    internal LogJournal Journal => _journal;

    public ILogger CreateLogger(string categoryName)
        => categoryName == DiagnosticsCategory || categoryName == typeof(AppendLog).FullName
            ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance
            : new ObjectLogLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    /// <summary>Writes one entry; never waits, never throws.</summary>
    internal void Write<TState>(string category, LogLevel level, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => _journal.TryWrite(
            (category, level, eventId, state, exception, formatter, scopes: _includeScopes ? _scopes : null),
            static e => LogEntryWriter.Write(DateTimeOffset.UtcNow, e.category, e.level, e.eventId, e.state, e.exception, e.formatter(e.state, e.exception), e.scopes));

    public async ValueTask DisposeAsync()
    {
        _diagnostics.Close(); // never ask the container, being disposed, for loggers from here on
        await _journal.DisposeAsync().ConfigureAwait(false);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The journal's reports: through the other providers while they are there, on stderr once they are gone.</summary>
    private void Report(string report)
    {
        if (!_diagnostics.IsClosed)
        {
            _diagnostics.CreateLogger(DiagnosticsCategory).LogWarning("{Report}", report);
            return;
        }

        try
        {
            Console.Error.WriteLine(report);
        }
        catch (IOException)
        {
            // stderr is gone too: nothing left to tell
        }
    }
}
