using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ObjectLog.Extensions.Logging;

/// <summary>
/// Gives the journal's <see cref="AppendLog"/> and its provider the application's loggers, which do not exist yet when
/// logger providers are built: the factory is resolved the first time something is logged. Once <see cref="Close"/>
/// is called (the provider is being disposed, so the container and the other providers are, or soon will be), it is
/// never asked for again and everything logged here goes nowhere: the provider reports on stderr instead.
/// </summary>
internal sealed class DeferredLoggerFactory(Func<ILoggerFactory?> factory) : ILoggerFactory
{
    private readonly Lock _gate = new();
    private ILoggerFactory? _resolved;
    private bool _closed;

    public ILogger CreateLogger(string categoryName) => new DeferredLogger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    /// <summary>Whether <see cref="Close"/> was called: the application's loggers are no longer used.</summary>
    public bool IsClosed => Volatile.Read(ref _closed);

    /// <summary>Stops using the application's loggers.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }

    public void Dispose()
    {
    }

    private ILogger Logger(string category)
    {
        ILoggerFactory? resolved;
        lock (_gate)
        {
            if (_closed)
            {
                return NullLogger.Instance;
            }

            try
            {
                resolved = _resolved ??= factory();
            }
            catch (ObjectDisposedException)
            {
                _closed = true; // the container went first
                return NullLogger.Instance;
            }
        }

        try
        {
            return resolved?.CreateLogger(category) ?? NullLogger.Instance;
        }
        catch (ObjectDisposedException)
        {
            return NullLogger.Instance;
        }
    }

    private sealed class DeferredLogger(DeferredLoggerFactory owner, string category) : ILogger
    {
        private ILogger? _inner;

        private ILogger Inner => Volatile.Read(ref owner._closed) ? NullLogger.Instance : _inner ??= owner.Logger(category);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => Inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => Inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
