using Microsoft.Extensions.Logging;

namespace ObjectLog.Extensions.Logging;

/// <summary>One category's logger; scopes come from the factory's scope provider, as for the console logger.</summary>
internal sealed class ObjectLogLogger(ObjectLogLoggerProvider provider, string category) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null; // the factory's external scope provider holds scopes

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            provider.Write(category, logLevel, eventId, state, exception, formatter);
        }
    }
}
