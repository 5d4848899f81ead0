using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.ObjectLog;

namespace Serilog;

/// <summary>Adds the ObjectLog sink, as <c>WriteTo.File</c> adds the file sink.</summary>
public static class ObjectLogLoggerConfigurationExtensions
{
    /// <summary>
    /// Journals events as CLEF (compact JSON, one object a line: <c>@t</c>, <c>@mt</c>, <c>@l</c>, <c>@x</c>,
    /// properties) to the log <paramref name="storeUrl"/> names. Emitting never blocks and never throws: events that
    /// do not fit are dropped, counted (<c>objectlog.logger.dropped</c>) and reported once through
    /// <see cref="Debugging.SelfLog"/>. Disposing the logger (<c>Log.CloseAndFlush()</c>) stores everything accepted.
    /// </summary>
    /// <param name="sinkConfiguration">The logger's sink configuration.</param>
    /// <param name="storeUrl">Where the events go (see <see cref="global::ObjectLog.Storage.ObjectStoreUrl"/>), such as <c>file://./objectlog-data/app</c> or <c>s3://bucket/app</c>: the store, then the log's prefix.</param>
    /// <param name="restrictedToMinimumLevel">The least level this sink writes.</param>
    /// <param name="levelSwitch">Changes that level while the program runs; overrides <paramref name="restrictedToMinimumLevel"/>.</param>
    /// <param name="configure">Changes the settings (batch size, flush interval, buffer bound, dispose timeout, compression).</param>
    /// <returns>The logger configuration, to go on configuring it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sinkConfiguration"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="storeUrl"/> is <see langword="null"/>, empty, whitespace or malformed.</exception>
    public static LoggerConfiguration ObjectLog(
        this LoggerSinkConfiguration sinkConfiguration,
        string storeUrl,
        LogEventLevel restrictedToMinimumLevel = LevelAlias.Minimum,
        LoggingLevelSwitch? levelSwitch = null,
        Action<ObjectLogSinkOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(sinkConfiguration);
        ArgumentException.ThrowIfNullOrWhiteSpace(storeUrl);
        var options = new ObjectLogSinkOptions();
        configure?.Invoke(options);
        return sinkConfiguration.Sink(new ObjectLogSink(storeUrl, options), restrictedToMinimumLevel, levelSwitch);
    }
}
