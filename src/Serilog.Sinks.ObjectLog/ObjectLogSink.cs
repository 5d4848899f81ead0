using LogJournal = ObjectLog.LogJournal;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace Serilog.Sinks.ObjectLog;

/// <summary>
/// Writes events as CLEF through a <see cref="LogJournal"/>: emitting never waits for the store and never throws; an
/// event that does not fit is dropped and counted (<c>objectlog.logger.dropped</c>, the ILogger provider's metric,
/// tagged with the log's prefix), and the journal's reports (the first drop; what disposing could not store within
/// <see cref="global::ObjectLog.LogJournalOptions.DisposeTimeout"/>) go to <see cref="SelfLog"/>.
/// </summary>
/// <remarks>
/// Batches are named by the journal's log: unique per writer without coordination and stored create-only, so any
/// number of sinks, in any number of processes, can share one prefix without overwriting each other.
/// </remarks>
internal sealed class ObjectLogSink : ILogEventSink, IDisposable, IAsyncDisposable
{
    private readonly LogJournal _journal;

    /// <exception cref="ArgumentException">The store URL is malformed (the message names the problem, never a secret).</exception>
    public ObjectLogSink(string storeUrl, ObjectLogSinkOptions options)
        => _journal = new LogJournal(storeUrl, options, static report => SelfLog.WriteLine("{0}", report));

    /// <summary>Appends one event; never waits, never throws.</summary>
    public void Emit(LogEvent logEvent) => _journal.TryWrite(logEvent, ClefWriter.Write);

    /// <inheritdoc cref="LogJournal.DisposeAsync"/>
    public ValueTask DisposeAsync() => _journal.DisposeAsync();

    /// <inheritdoc cref="LogJournal.DisposeAsync"/>
    public void Dispose() => _journal.Dispose();
}
