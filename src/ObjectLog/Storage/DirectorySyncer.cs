namespace ObjectLog.Storage;

/// <summary>
/// Group commit for directory syncs: puts that publish into one directory at about the same time share one
/// <c>fsync</c> of it instead of paying one each.
/// </summary>
/// <remarks>
/// Invariant: a caller returns only after a sync that began after its call began has completed, so the entry
/// it published before calling is on disk. One sync at a time runs for a directory; every request made before a
/// sync began is answered by it, and requests that came in during it get the next one, run on the thread pool.
/// </remarks>
internal sealed class DirectorySyncer
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, State> _directories = new(StringComparer.Ordinal);

    /// <summary>Returns once <paramref name="directory"/> has been synced at least once since this call began.</summary>
    public Task SyncAsync(string directory)
    {
        State state;
        long ticket;
        TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (!_directories.TryGetValue(directory, out state!))
            {
                state = new State();
                _directories[directory] = state;
            }

            ticket = ++state.Requested;
            state.Waiters.Add((ticket, done));
            if (state.Syncing)
            {
                return done.Task;
            }

            state.Syncing = true;
        }

        RunSyncs(directory, state);
        return done.Task;
    }

    /// <summary>One sync, on the caller's thread (a put's, already off the appender's); the next, if wanted, on the pool.</summary>
    private void RunSyncs(string directory, State state)
    {
        long covers;
        lock (_gate)
        {
            covers = state.Requested;
        }

        Exception? failure = null;
        try
        {
            PosixFiles.SyncDirectory(directory);
        }
        catch (IOException e)
        {
            failure = e;
        }

        List<TaskCompletionSource> answered = [];
        bool more;
        lock (_gate)
        {
            state.Waiters.RemoveAll(w =>
            {
                if (w.Ticket > covers)
                {
                    return false;
                }

                answered.Add(w.Done);
                return true;
            });
            more = state.Requested > covers;
            state.Syncing = more;
        }

        foreach (TaskCompletionSource tcs in answered)
        {
            if (failure is null)
            {
                tcs.TrySetResult();
            }
            else
            {
                tcs.TrySetException(failure);
            }
        }

        if (more)
        {
            _ = Task.Run(() => RunSyncs(directory, state));
        }
    }

    private sealed class State
    {
        public long Requested { get; set; }

        public bool Syncing { get; set; }

        public List<(long Ticket, TaskCompletionSource Done)> Waiters { get; } = [];
    }
}
