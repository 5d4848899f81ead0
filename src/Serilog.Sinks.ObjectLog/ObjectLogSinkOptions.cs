using ObjectLog;

namespace Serilog.Sinks.ObjectLog;

/// <summary>
/// Settings of the ObjectLog sink (<see cref="ObjectLogLoggerConfigurationExtensions.ObjectLog"/>): those of the
/// <see cref="LogJournal"/> it writes through, with the same defaults and validation as the ILogger provider's. The
/// log is the prefix the store URL names; the minimum level is the sink's <c>restrictedToMinimumLevel</c>, as for any
/// sink. Disposing the sink (<c>Log.CloseAndFlush()</c>) waits at most <see cref="LogJournalOptions.DisposeTimeout"/>
/// and reports what it could not store through <see cref="Debugging.SelfLog"/>.
/// </summary>
public sealed class ObjectLogSinkOptions : LogJournalOptions
{
}
