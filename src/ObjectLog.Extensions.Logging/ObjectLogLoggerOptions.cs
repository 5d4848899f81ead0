namespace ObjectLog.Extensions.Logging;

/// <summary>
/// Settings of the ObjectLog logger provider, bindable from the configuration section <c>Logging:ObjectLog</c>
/// (the minimum level from <c>Logging:ObjectLog:LogLevel</c>, as for any provider). The batch, buffer, dispose and
/// compression settings are those of the <see cref="LogJournal"/> the provider writes through, with the same defaults and
/// validation as the Serilog sink's. In a host, the host's stop stores what is buffered first, within its shutdown
/// timeout; if that runs out, disposing the provider does not wait again (<see cref="LogJournalOptions.DisposeTimeout"/>),
/// so a hung store delays the exit by the shutdown timeout alone. What disposing could not store is reported on stderr,
/// since by then the other providers are gone.
/// </summary>
public sealed class ObjectLogLoggerOptions : LogJournalOptions
{
    /// <summary>
    /// Where the entries go: a store URL naming the log (see <see cref="Storage.ObjectStoreUrl"/>), such as
    /// <c>file://./objectlog-data/app-logs</c> or <c>s3://bucket/app-logs</c>. Required.
    /// </summary>
    public string? StoreUrl { get; set; }

    /// <summary>Whether each entry carries the scopes active when it was logged. Default <see langword="true"/>.</summary>
    public bool IncludeScopes { get; set; } = true;
}
