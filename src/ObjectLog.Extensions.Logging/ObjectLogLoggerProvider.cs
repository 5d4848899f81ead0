using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ObjectLog.Storage;

namespace ObjectLog.Extensions.Logging;

/// <summary>
/// Journals log entries to one <see cref="AppendLog"/> through <see cref="AppendLog.TryAppend"/>: logging never
/// waits for the store and never throws. An entry that does not fit (the buffer is full because the store is slow
/// or down, or the entry is larger than an event may be) is dropped and counted (<c>objectlog.logger.dropped</c>),
/// and the first drop is reported once as a warning through the application's other providers.
/// </summary>
/// <remarks>
/// ObjectLog's own diagnostics (the categories <c>ObjectLog.AppendLog</c> and this provider's) are not written to
/// the journal: a failing store would otherwise feed itself. Disposing the provider stores what is buffered.
/// </remarks>
[ProviderAlias("ObjectLog")]
internal sealed class ObjectLogLoggerProvider : ILoggerProvider, ISupportExternalScope, IAsyncDisposable
{
    internal const string DiagnosticsCategory = "ObjectLog.Extensions.Logging";

    private readonly ObjectStoreLocation _location;
    private readonly AppendLog _log;
    private readonly Func<ILoggerFactory?> _loggerFactory;
    private readonly TimeProvider _clock;
    private readonly bool _includeScopes;
    private readonly KeyValuePair<string, object?> _tag;
    private IExternalScopeProvider? _scopes;
    private int _warnedAboutDrops;
    private int _disposed;

    /// <param name="options">The settings; <see cref="ObjectLogLoggerOptions.StoreUrl"/> is required.</param>
    /// <param name="loggerFactory">The application's logger factory, asked for only when there is something to report (it is being built when providers are).</param>
    /// <exception cref="InvalidOperationException">No store URL is configured.</exception>
    /// <exception cref="ArgumentException">The store URL is malformed (the message names the problem, never a secret).</exception>
    public ObjectLogLoggerProvider(IOptions<ObjectLogLoggerOptions> options, Func<ILoggerFactory?> loggerFactory)
    {
        ObjectLogLoggerOptions o = options.Value;
        if (string.IsNullOrWhiteSpace(o.StoreUrl))
        {
            throw new InvalidOperationException("The ObjectLog logger needs a store URL: pass one to AddObjectLog or set Logging:ObjectLog:StoreUrl.");
        }

        _loggerFactory = loggerFactory;
        _clock = o.TimeProvider;
        _includeScopes = o.IncludeScopes;
        _location = ObjectStoreUrl.Open(o.StoreUrl);
        _log = new AppendLog(_location.Store, _location.Prefix, new AppendLogOptions
        {
            FlushThreshold = o.FlushThreshold,
            FlushInterval = o.FlushInterval,
            MaxBufferedBytes = o.MaxBufferedBytes,
            TimeProvider = o.TimeProvider,
            LoggerFactory = new DeferredLoggerFactory(loggerFactory),
        });
        _tag = new("objectlog.prefix", _log.KeyPrefix);
    }

    /// <summary>The journal, for flushing and for tests.</summary>
    internal AppendLog Log => _log;

    public ILogger CreateLogger(string categoryName)
        => categoryName == DiagnosticsCategory || categoryName == typeof(AppendLog).FullName
            ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance
            : new ObjectLogLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    /// <summary>Writes one entry; never waits, never throws.</summary>
    internal void Write<TState>(string category, LogLevel level, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            string message = formatter(state, exception);
            ReadOnlySpan<byte> entry = LogEntryWriter.Write(_clock.GetUtcNow(), category, level, eventId, state, exception, message, _includeScopes ? _scopes : null);
            if (_log.TryAppend(entry))
            {
                return;
            }
        }
        catch (ObjectDisposedException)
        {
            return; // logging during or after shutdown: the journal is closed
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            // Too large for one event, or state that does not render: dropped like an entry that does not fit.
        }

        Dropped();
    }

    private void Dropped()
    {
        ObjectLogMetrics.LoggerDrops.Add(1, _tag);
        if (Interlocked.Exchange(ref _warnedAboutDrops, 1) == 0)
        {
            _loggerFactory()?.CreateLogger(DiagnosticsCategory).LogWarning(
                "ObjectLog logger for '{Log}': an entry was dropped (the buffer is full because the store is slow or down, or the entry is too large). Further drops are only counted, in the metric objectlog.logger.dropped.", _location.Description);
        }
    }

    /// <summary>Stores what is buffered.</summary>
    internal Task FlushAsync(CancellationToken cancellationToken) => _log.FlushAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _log.DisposeAsync().ConfigureAwait(false);
        }
        catch (ObjectStoreException e)
        {
            _loggerFactory()?.CreateLogger(DiagnosticsCategory).LogError(e, "ObjectLog logger for '{Log}': {Bytes} bytes of entries could not be stored at shutdown.", _location.Description, _log.BufferedBytes);
        }
        finally
        {
            _location.Dispose();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
