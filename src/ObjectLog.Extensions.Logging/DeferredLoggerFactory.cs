using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ObjectLog.Extensions.Logging;

/// <summary>
/// Gives the journal's <see cref="AppendLog"/> the application's loggers, which do not exist yet when logger
/// providers are built: each logger resolves the factory the first time it logs.
/// </summary>
internal sealed class DeferredLoggerFactory(Func<ILoggerFactory?> factory) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new DeferredLogger(factory, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class DeferredLogger(Func<ILoggerFactory?> factory, string category) : ILogger
    {
        private ILogger? _inner;

        private ILogger Inner => _inner ??= factory()?.CreateLogger(category) ?? NullLogger.Instance;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => Inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => Inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
