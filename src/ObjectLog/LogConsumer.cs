namespace ObjectLog;

/// <summary>
/// A named consumer of a log: it delivers events from where the last owner of its name committed, keeps its
/// checkpoint in the store, and lets one instance own its name at a time. Create one with
/// <see cref="AppendLog.CreateConsumer"/>.
/// </summary>
public sealed class LogConsumer : IAsyncDisposable
{
    internal LogConsumer()
    {
        throw new NotImplementedException();
    }

    /// <summary>The consumer's name.</summary>
    public string Name => throw new NotImplementedException();

    /// <summary>How this instance names itself in the lease.</summary>
    public string OwnerId => throw new NotImplementedException();

    /// <summary>The position last committed, by this instance or, once it owns the name, the one it started from.</summary>
    public LogPosition? CommittedPosition => throw new NotImplementedException();

    /// <summary>Takes ownership (waiting while another instance holds it), then delivers events after the committed position and waits for new ones.</summary>
    public IAsyncEnumerable<LogEvent> ReadAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Commits <paramref name="position"/>, an event this instance delivered: it and everything delivered before it are handled.</summary>
    public Task CommitAsync(LogPosition position, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Commits what the checkpoint policy owes and releases ownership.</summary>
    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
