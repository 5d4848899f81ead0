using Microsoft.Extensions.Logging;
using ObjectLog.Storage;

namespace ObjectLog;

/// <summary>
/// A logging framework's writer onto one <see cref="AppendLog"/>: writing never waits for the store and never throws.
/// An entry that does not fit (the buffer is full because the store is slow or down, or the entry is larger than an
/// event may be) is dropped and counted (<c>objectlog.logger.dropped</c>, tagged with the log's prefix), and the
/// first drop is reported once. Disposing stores what is buffered within <see cref="LogJournalOptions.DisposeTimeout"/>
/// and never throws: what it could not store is reported. The <c>ObjectLog.Extensions.Logging</c> provider and the
/// <c>Serilog.Sinks.ObjectLog</c> sink each write through one.
/// </summary>
/// <remarks>
/// Reports are single lines naming the log (never a secret) and go to the <c>report</c> given to the constructor, or
/// to stderr: at most one about drops, and at most one, while disposing, about what was not stored. All members are
/// thread-safe.
/// </remarks>
public sealed class LogJournal : IAsyncDisposable, IDisposable
{
    private readonly ObjectStoreLocation? _location;
    private readonly string _description;
    private readonly TimeSpan _disposeTimeout;
    private readonly Action<string> _report;
    private readonly KeyValuePair<string, object?> _tag;
    private int _reportedDrops;
    private int _disposed;
    private volatile bool _flushRanOutOfTime;

    /// <summary>Opens the log <paramref name="storeUrl"/> names, with <paramref name="options"/>' settings.</summary>
    /// <param name="storeUrl">Where the entries go (see <see cref="ObjectStoreUrl"/>), such as <c>file://./objectlog-data/app-logs</c>.</param>
    /// <param name="options">The settings; the journal copies them.</param>
    /// <param name="report">Where the journal's reports go (see the remarks); stderr if <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where the log reports failures in the background (<see cref="AppendLogOptions.LoggerFactory"/>); none if <see langword="null"/>. Never a factory whose loggers write to this journal: a failing store would feed itself.</param>
    /// <exception cref="ArgumentNullException"><paramref name="storeUrl"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The store URL is malformed (the message names the problem, never a secret).</exception>
    public LogJournal(string storeUrl, LogJournalOptions options, Action<string>? report = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(storeUrl);
        ArgumentNullException.ThrowIfNull(options);
        _location = ObjectStoreUrl.Open(storeUrl);
        try
        {
            Log = new AppendLog(_location.Store, _location.Prefix, options.ToAppendLogOptions(loggerFactory));
        }
        catch
        {
            _location.Dispose();
            throw;
        }

        _description = _location.Description;
        _disposeTimeout = options.DisposeTimeout;
        _report = report ?? ReportOnStandardError;
        _tag = new("objectlog.prefix", Log.KeyPrefix);
    }

    /// <summary>
    /// Writes to <paramref name="log"/>, whose own settings apply; the journal owns it from here on: disposing the
    /// journal disposes the log.
    /// </summary>
    /// <param name="log">The log.</param>
    /// <param name="disposeTimeout">As <see cref="LogJournalOptions.DisposeTimeout"/>, by the same rule.</param>
    /// <param name="report">Where the journal's reports go (see the remarks); stderr if <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="log"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="disposeTimeout"/> is zero or negative and not infinite.</exception>
    public LogJournal(AppendLog log, TimeSpan disposeTimeout, Action<string>? report = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        Log = log;
        _description = log.KeyPrefix;
        _disposeTimeout = LogJournalOptions.CheckDisposeTimeout(disposeTimeout, nameof(disposeTimeout));
        _report = report ?? ReportOnStandardError;
        _tag = new("objectlog.prefix", Log.KeyPrefix);
    }

    /// <summary>The log the entries go to: for reading it, or for a health check (<see cref="AppendLog.LastStoreFailure"/>).</summary>
    public AppendLog Log { get; }

    /// <summary>Writes one entry, one line of JSON Lines; never waits, never throws.</summary>
    /// <param name="entry">The entry, without a line end; the log copies it.</param>
    /// <returns><see langword="true"/> if the entry was taken; <see langword="false"/> if it was dropped (and counted), or the journal is disposed (not counted).</returns>
    public bool TryWrite(ReadOnlySpan<byte> entry) => TryWrite(entry, static e => e);

    /// <summary>
    /// Renders one entry and writes it; never waits, never throws for a store or an entry that does not fit. An
    /// <see cref="ArgumentException"/>, <see cref="FormatException"/> or <see cref="InvalidOperationException"/> from
    /// <paramref name="render"/> (state that does not render) drops the entry like one that does not fit.
    /// </summary>
    /// <typeparam name="TState">What <paramref name="render"/> renders.</typeparam>
    /// <param name="state">What <paramref name="render"/> renders, so a static lambda captures nothing.</param>
    /// <param name="render">Renders the entry, without a line end, into a span valid until the log has copied it (a thread's reused buffer).</param>
    /// <returns><see langword="true"/> if the entry was taken; <see langword="false"/> if it was dropped (and counted), or the journal is disposed (not counted).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="render"/> is <see langword="null"/>.</exception>
    public bool TryWrite<TState>(TState state, Func<TState, ReadOnlySpan<byte>> render)
        where TState : allows ref struct
    {
        ArgumentNullException.ThrowIfNull(render);
        try
        {
            if (Log.TryAppend(render(state)))
            {
                return true;
            }
        }
        catch (ObjectDisposedException)
        {
            return false; // written during or after shutdown: the log is closed
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            // Too large for one event, or state that does not render: dropped like an entry that does not fit.
        }

        ObjectLogMetrics.LoggerDrops.Add(1, _tag);
        if (Interlocked.Exchange(ref _reportedDrops, 1) == 0)
        {
            _report($"ObjectLog journal for '{_description}': an entry was dropped (the buffer is full because the store is slow or down, or the entry is too large). Further drops are only counted, in the metric objectlog.logger.dropped.");
        }

        return false;
    }

    /// <summary>
    /// Stores what is buffered (<see cref="AppendLog.FlushAsync"/>), as a host does when it stops. If
    /// <paramref name="cancellationToken"/> ends the wait (the host's shutdown timeout ran out), disposing afterwards
    /// does not wait for the store again, so a hung store delays the exit by that timeout alone.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait; what is buffered stays buffered.</param>
    /// <returns>A task that completes when everything written before the call is stored.</returns>
    /// <exception cref="ObjectStoreException">A PUT failed; the entries stay buffered.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="ObjectDisposedException">The journal is disposed.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await Log.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _flushRanOutOfTime = true;
            throw;
        }
    }

    /// <summary>
    /// Stores what is buffered and closes the log, waiting at most <see cref="LogJournalOptions.DisposeTimeout"/> (not at
    /// all if <see cref="FlushAsync"/> ran out of time); what could not be stored by then is reported, never thrown.
    /// A store still being waited for keeps its client open, so it can still finish.
    /// </summary>
    /// <returns>A task that completes when the log is closed or the wait is over.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        bool ranOutOfTime = _flushRanOutOfTime;
        try
        {
            await Log.DisposeAsync().AsTask().WaitAsync(ranOutOfTime ? TimeSpan.Zero : _disposeTimeout).ConfigureAwait(false);
            _location?.Dispose();
        }
        catch (TimeoutException)
        {
            ReportUnstored(ranOutOfTime ? "within the shutdown timeout" : $"within {_disposeTimeout} at shutdown", null);
        }
        catch (ObjectStoreException e)
        {
            ReportUnstored("at shutdown", e);
            _location?.Dispose();
        }
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void ReportUnstored(string when, ObjectStoreException? failure)
        => _report($"ObjectLog journal for '{_description}': {Log.BufferedEvents} entries ({Log.BufferedBytes} bytes) were not stored {when}{(failure is null ? "." : ": " + failure.Message)}");

    private static void ReportOnStandardError(string message)
    {
        try
        {
            Console.Error.WriteLine(message);
        }
        catch (IOException)
        {
            // stderr is gone too: nothing left to tell
        }
    }
}
