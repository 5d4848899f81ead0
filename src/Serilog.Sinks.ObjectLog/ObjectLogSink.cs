using AppendLog = ObjectLog.AppendLog;
using AppendLogOptions = ObjectLog.AppendLogOptions;
using ObjectLogMetrics = ObjectLog.ObjectLogMetrics;
using ObjectLog.Storage;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace Serilog.Sinks.ObjectLog;

/// <summary>
/// Journals events as CLEF to one <see cref="AppendLog"/> through <see cref="AppendLog.TryAppend"/>: emitting never
/// waits for the store and never throws. An event that does not fit (the buffer is full because the store is slow
/// or down, or the event is larger than an event may be) is dropped and counted (<c>objectlog.logger.dropped</c>, the
/// ILogger provider's metric, tagged with the log's prefix), and the first drop is reported once through
/// <see cref="SelfLog"/>. Disposing stores everything accepted, waiting at most <see cref="ObjectLogSinkOptions.DisposeTimeout"/>.
/// </summary>
/// <remarks>
/// Batches are named by <see cref="AppendLog"/>: unique per writer without coordination and stored create-only, so
/// any number of sinks, in any number of processes, can share one prefix without overwriting each other.
/// </remarks>
internal sealed class ObjectLogSink : ILogEventSink, IDisposable, IAsyncDisposable
{
    private readonly ObjectStoreLocation _location;
    private readonly AppendLog _log;
    private readonly TimeSpan _disposeTimeout;
    private readonly KeyValuePair<string, object?> _tag;
    private int _reportedDrops;
    private int _disposed;

    /// <exception cref="ArgumentException">The store URL is malformed (the message names the problem, never a secret).</exception>
    public ObjectLogSink(string storeUrl, ObjectLogSinkOptions options)
    {
        _location = ObjectStoreUrl.Open(storeUrl);
        _disposeTimeout = options.DisposeTimeout;
        _log = new AppendLog(_location.Store, _location.Prefix, new AppendLogOptions
        {
            FlushThreshold = options.FlushThreshold,
            FlushInterval = options.FlushInterval,
            MaxBufferedBytes = options.MaxBufferedBytes,
        });
        _tag = new("objectlog.prefix", _log.KeyPrefix);
    }

    /// <summary>The journal, for tests.</summary>
    internal AppendLog Log => _log;

    /// <summary>Appends one event; never waits, never throws.</summary>
    public void Emit(LogEvent logEvent)
    {
        try
        {
            if (_log.TryAppend(ClefWriter.Write(logEvent)))
            {
                return;
            }
        }
        catch (ObjectDisposedException)
        {
            return; // emitted during or after shutdown: the journal is closed
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            // Too large for one event, or a value that does not render: dropped like an event that does not fit.
        }

        ObjectLogMetrics.LoggerDrops.Add(1, _tag);
        if (Interlocked.Exchange(ref _reportedDrops, 1) == 0)
        {
            SelfLog.WriteLine("ObjectLog sink for {0}: an event was dropped (the buffer is full because the store is slow or down, or the event is too large). Further drops are only counted, in the metric objectlog.logger.dropped.", _location.Description);
        }
    }

    /// <summary>
    /// Stores everything accepted and closes the log, waiting at most <see cref="ObjectLogSinkOptions.DisposeTimeout"/>;
    /// what could not be stored by then is reported through <see cref="SelfLog"/>, never thrown (shutdown goes on).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _log.DisposeAsync().AsTask().WaitAsync(_disposeTimeout).ConfigureAwait(false);
            _location.Dispose();
        }
        catch (TimeoutException)
        {
            // The store is still being waited for; its client stays open so that the store can still finish.
            SelfLog.WriteLine("ObjectLog sink for {0}: {1} bytes of events were not stored within {2} at shutdown.", _location.Description, _log.BufferedBytes, _disposeTimeout);
        }
        catch (ObjectStoreException e)
        {
            SelfLog.WriteLine("ObjectLog sink for {0}: {1} bytes of events could not be stored at shutdown: {2}", _location.Description, _log.BufferedBytes, e);
            _location.Dispose();
        }
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
