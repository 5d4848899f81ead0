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
/// the journal: a failing store would otherwise feed itself. Disposing the provider stores what is buffered, waiting
/// at most <see cref="ObjectLogLoggerOptions.DisposeTimeout"/> (not at all if the host's stop already ran out of
/// time), and never throws: what it could not store is reported on stderr, since by then the container and the other
/// providers are disposed.
/// </remarks>
[ProviderAlias("ObjectLog")]
internal sealed class ObjectLogLoggerProvider : ILoggerProvider, ISupportExternalScope, IAsyncDisposable
{
    internal const string DiagnosticsCategory = "ObjectLog.Extensions.Logging";

    private readonly ObjectStoreLocation _location;
    private readonly AppendLog _log;
    private readonly DeferredLoggerFactory _diagnostics;
    private readonly TimeSpan _disposeTimeout;
    private readonly TimeProvider _clock;
    private readonly bool _includeScopes;
    private readonly KeyValuePair<string, object?> _tag;
    private IExternalScopeProvider? _scopes;
    private int _warnedAboutDrops;
    private int _disposed;
    private volatile bool _stopRanOutOfTime;

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
        _disposeTimeout = o.DisposeTimeout;
        _clock = o.TimeProvider;
        _includeScopes = o.IncludeScopes;
        _location = ObjectStoreUrl.Open(o.StoreUrl);
        _log = new AppendLog(_location.Store, _location.Prefix, new AppendLogOptions
        {
            FlushThreshold = o.FlushThreshold,
            FlushInterval = o.FlushInterval,
            MaxBufferedBytes = o.MaxBufferedBytes,
            TimeProvider = o.TimeProvider,
            LoggerFactory = _diagnostics,
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
            _diagnostics.CreateLogger(DiagnosticsCategory).LogWarning(
                "ObjectLog logger for '{Log}': an entry was dropped (the buffer is full because the store is slow or down, or the entry is too large). Further drops are only counted, in the metric objectlog.logger.dropped.", _location.Description);
        }
    }

    /// <summary>Stores what is buffered.</summary>
    internal Task FlushAsync(CancellationToken cancellationToken) => _log.FlushAsync(cancellationToken);

    /// <summary>The host's stop ran out of time storing what is buffered: disposing will not wait for the store again.</summary>
    internal void StopRanOutOfTime() => _stopRanOutOfTime = true;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _diagnostics.Close(); // never ask the container, being disposed, for loggers from here on
        TimeSpan wait = _stopRanOutOfTime ? TimeSpan.Zero : _disposeTimeout;
        try
        {
            await _log.DisposeAsync().AsTask().WaitAsync(wait, _clock).ConfigureAwait(false);
            _location.Dispose();
        }
        catch (TimeoutException)
        {
            // The store is still being waited for; its client stays open so that the store can still finish.
            ReportUnstored(_stopRanOutOfTime ? "within the host's shutdown timeout" : $"within {_disposeTimeout} at shutdown", null);
        }
        catch (ObjectStoreException e)
        {
            ReportUnstored("at shutdown", e);
            _location.Dispose();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void ReportUnstored(string when, ObjectStoreException? failure)
    {
        try
        {
            Console.Error.WriteLine($"ObjectLog logger for '{_location.Description}': {_log.BufferedEvents} entries ({_log.BufferedBytes} bytes) were not stored {when}{(failure is null ? "." : ": " + failure.Message)}");
        }
        catch (IOException)
        {
            // stderr is gone too: nothing left to tell
        }
    }
}
