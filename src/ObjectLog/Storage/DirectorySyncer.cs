namespace ObjectLog.Storage;

/// <summary>
/// Group commit for directory syncs: puts that publish into one directory at about the same time share one
/// <c>fsync</c> of it instead of paying one each.
/// </summary>
/// <remarks>
/// Invariant: <see cref="Sync"/> returns only after a sync that began after it was called has completed, so the
/// entry its caller published before calling is on disk; if that sync failed, it throws. One sync at a time runs
/// for a directory, on the thread of a caller that is waiting anyway; callers that arrive while it runs wait for
/// the next one, which the first of them runs for all of them. Callers are blocking-I/O threads, never the pool's.
/// </remarks>
internal sealed class DirectorySyncer
{
    private readonly object _gate = new(); // a monitor, for Wait and PulseAll
    private readonly Dictionary<string, State> _directories = new(StringComparer.Ordinal);

    /// <summary>Returns once <paramref name="directory"/> has been synced at least once since this call began.</summary>
    /// <exception cref="IOException">The sync that was to cover this call failed.</exception>
    public void Sync(string directory)
    {
        State state;
        long ticket;
        long covers;
        lock (_gate)
        {
            if (!_directories.TryGetValue(directory, out state!))
            {
                state = new State();
                _directories[directory] = state;
            }

            ticket = ++state.Requested;
            while (true)
            {
                if (state.SyncedThrough >= ticket)
                {
                    return;
                }

                if (state.FailedThrough >= ticket && state.Failure is not null)
                {
                    throw new IOException(state.Failure.Message, state.Failure);
                }

                if (!state.Syncing)
                {
                    state.Syncing = true;
                    covers = state.Requested;
                    break;
                }

                Monitor.Wait(_gate);
            }
        }

        IOException? failure = null;
        try
        {
            PosixFiles.SyncDirectory(directory);
        }
        catch (IOException e)
        {
            failure = e;
        }

        lock (_gate)
        {
            state.Syncing = false;
            if (failure is null)
            {
                state.SyncedThrough = covers;
            }
            else
            {
                state.FailedThrough = covers;
                state.Failure = failure;
            }

            Monitor.PulseAll(_gate);
        }

        if (failure is not null)
        {
            throw failure;
        }
    }

    private sealed class State
    {
        public long Requested { get; set; }

        public long SyncedThrough { get; set; }

        public long FailedThrough { get; set; }

        public IOException? Failure { get; set; }

        public bool Syncing { get; set; }
    }
}
