namespace ObjectLog.Internal;

/// <summary>
/// Flushes a <see cref="WritePipeline"/> every <see cref="AppendLogOptions.FlushInterval"/> while it holds events,
/// one flush at a time, until stopped. A failed flush is counted by the pipeline and its events stay buffered, so
/// nothing is thrown here: the next tick, flush or successful PUT retries them.
/// </summary>
internal sealed class BackgroundFlusher : IAsyncDisposable
{
    private readonly WritePipeline _writer;
    private readonly ITimer _timer;
    private int _flushing;
    private bool _stopped;

    public BackgroundFlusher(WritePipeline writer, AppendLogOptions options)
    {
        _writer = writer;
        _timer = options.TimeProvider.CreateTimer(static state => ((BackgroundFlusher)state!).FlushInBackground(), this, options.FlushInterval, options.FlushInterval);
    }

    /// <summary>No tick starts a flush from now on (the log is closing and flushes for itself).</summary>
    public void Stop() => Volatile.Write(ref _stopped, true);

    public ValueTask DisposeAsync() => _timer.DisposeAsync();

    private void FlushInBackground()
    {
        if (Volatile.Read(ref _stopped) || _writer.IsEmpty || Interlocked.CompareExchange(ref _flushing, 1, 0) != 0)
        {
            return;
        }

        _ = FlushQuietlyAsync();

        async Task FlushQuietlyAsync()
        {
            try
            {
                await _writer.FlushAsync(close: false, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Counted by the pipeline; the events stay buffered, and the next tick, flush or success retries them.
            }
            finally
            {
                Volatile.Write(ref _flushing, 0);
            }
        }
    }
}
