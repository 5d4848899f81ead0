namespace ObjectLog.Internal;

/// <summary>
/// How long a tail waits between polls: <see cref="AppendLogOptions.TailActivePollInterval"/> while events flow,
/// doubling after each empty poll up to <see cref="AppendLogOptions.TailPollInterval"/> once they stop, and cut
/// short when a writer in this process stores a batch under the same store and prefix (<see cref="BatchArrivals"/>).
/// </summary>
/// <remarks>
/// The flow counts as going on for <see cref="ActiveWindow"/> after the last poll that returned events, so a
/// writer that stores a batch at least once a second keeps the tail at the lower bound. An idle tail starts, and
/// settles, at the upper bound: at most one LIST per <see cref="AppendLogOptions.TailPollInterval"/>. Every wait is
/// a timer of <see cref="AppendLogOptions.TimeProvider"/>.
/// </remarks>
internal sealed class TailPacer : IDisposable
{
    /// <summary>How long after the last poll that returned events the tail keeps polling at the lower bound.</summary>
    public static readonly TimeSpan ActiveWindow = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly TimeSpan _idle;
    private readonly TimeSpan _active;
    private readonly BatchArrivals.Listener? _arrivals;
    private TimeSpan _wait;
    private long? _lastEvents;

    /// <param name="options">The bounds and the clock.</param>
    /// <param name="arrivals">Word of batches stored in this process, or <see langword="null"/> to rely on polling alone. The pacer disposes it.</param>
    /// <param name="idle">The upper bound in place of <see cref="AppendLogOptions.TailPollInterval"/> (a consumer's <see cref="LogConsumerOptions.PollInterval"/>), if any.</param>
    public TailPacer(AppendLogOptions options, BatchArrivals.Listener? arrivals, TimeSpan? idle = null)
    {
        _time = options.TimeProvider;
        _idle = idle ?? options.TailPollInterval;
        _active = options.TailActivePollInterval < _idle ? options.TailActivePollInterval : _idle; // above the idle bound it means the idle bound
        _arrivals = arrivals;
        _wait = _idle;
    }

    /// <summary>The wait after a poll, which returned events or not; it also moves the pace on.</summary>
    public TimeSpan Next(bool polledEvents)
    {
        long now = _time.GetTimestamp();
        if (polledEvents)
        {
            _lastEvents = now;
            _wait = _active;
        }
        else if (_lastEvents is { } last && _time.GetElapsedTime(last, now) < ActiveWindow)
        {
            _wait = _active;
        }
        else
        {
            _wait = _wait >= _idle / 2 ? _idle : _wait * 2;
        }

        return _wait;
    }

    /// <summary>Waits after a poll: <see cref="Next"/>'s wait, or less if a batch is announced (or was, since the poll began).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task WaitAsync(bool polledEvents, CancellationToken cancellationToken)
    {
        TimeSpan wait = Next(polledEvents);
        if (_arrivals is null)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            return;
        }

        Task arrival = _arrivals.Arrival();
        if (!arrival.IsCompleted)
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task delay = Task.Delay(wait, _time, timer.Token);
            await Task.WhenAny(arrival, delay).ConfigureAwait(false);
            await timer.CancelAsync().ConfigureAwait(false); // an arrival leaves no timer behind
            cancellationToken.ThrowIfCancellationRequested();
        }

        _arrivals.MarkSeen();
    }

    public void Dispose() => _arrivals?.Dispose();
}
