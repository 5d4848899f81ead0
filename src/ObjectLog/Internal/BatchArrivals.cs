using System.Runtime.CompilerServices;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// Word, within this process, that a batch was stored under a (store, prefix): every <see cref="AppendLog"/>'s writer
/// announces each batch it stores, and tails over the same store object and prefix wake at once instead of at their
/// next poll. Other processes never hear of it; their tails find the batch by polling.
/// </summary>
/// <remarks>
/// The store is the object the user passed to <see cref="AppendLog"/> (not the metering wrapper each log puts around
/// it), compared by reference: two logs over one store object share word, two wrappers around one store do not.
/// Only prefixes with a tail listening have an entry: a prefix's goes when its last listener is disposed, and a
/// store's entries go with the store, which the table holds weakly. Announcing where nobody listens allocates nothing.
/// </remarks>
internal static class BatchArrivals
{
    private static readonly ConditionalWeakTable<IObjectStore, Dictionary<string, Signal>> Listening = new();

    /// <summary>A batch was stored under <paramref name="prefix"/> in <paramref name="store"/>: wakes the tails listening there.</summary>
    public static void Announce(IObjectStore store, string prefix)
    {
        if (!Listening.TryGetValue(Identity(store), out Dictionary<string, Signal>? prefixes))
        {
            return;
        }

        Signal? signal;
        lock (prefixes)
        {
            prefixes.TryGetValue(prefix, out signal);
        }

        signal?.Raise();
    }

    /// <summary>Starts hearing of the batches stored under <paramref name="prefix"/> in <paramref name="store"/> from now on; dispose to stop.</summary>
    public static Listener Listen(IObjectStore store, string prefix)
    {
        Dictionary<string, Signal> prefixes = Listening.GetValue(Identity(store), static _ => new Dictionary<string, Signal>(StringComparer.Ordinal));
        lock (prefixes)
        {
            if (!prefixes.TryGetValue(prefix, out Signal? signal))
            {
                prefixes[prefix] = signal = new Signal();
            }

            signal.Listeners++;
            return new Listener(signal, () =>
            {
                lock (prefixes)
                {
                    if (--signal.Listeners == 0)
                    {
                        prefixes.Remove(prefix);
                    }
                }
            });
        }
    }

    /// <summary>Whether a listener for <paramref name="prefix"/> in <paramref name="store"/> is registered: tests check that none is left behind.</summary>
    internal static bool IsListening(IObjectStore store, string prefix)
    {
        if (!Listening.TryGetValue(Identity(store), out Dictionary<string, Signal>? prefixes))
        {
            return false;
        }

        lock (prefixes)
        {
            return prefixes.ContainsKey(prefix);
        }
    }

    /// <summary>The store the user gave: every log wraps it in its own <see cref="MeteredObjectStore"/>.</summary>
    private static IObjectStore Identity(IObjectStore store) => store is MeteredObjectStore metered ? metered.Inner : store;

    /// <summary>One tail's hearing: whether a batch was announced since it last looked (<see cref="Arrival"/>, <see cref="MarkSeen"/>).</summary>
    internal sealed class Listener : IDisposable
    {
        private readonly Signal _signal;
        private Action? _release;
        private long _seen;

        internal Listener(Signal signal, Action release)
        {
            _signal = signal;
            _release = release;
            _seen = signal.Observe().Count;
        }

        /// <summary>Completes when a batch is announced after the last <see cref="MarkSeen"/> (already complete if one was).</summary>
        public Task Arrival()
        {
            (long count, Task next) = _signal.Observe();
            return count != _seen ? Task.CompletedTask : next;
        }

        /// <summary>Everything announced so far is taken as seen: call it just before a poll lists, which finds those batches.</summary>
        public void MarkSeen() => _seen = _signal.Observe().Count;

        public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
    }

    /// <summary>One (store, prefix)'s announcements: a count, and a task that completes at the next one.</summary>
    internal sealed class Signal
    {
        private readonly Lock _gate = new();
        private long _count;
        private TaskCompletionSource _next = NewNext();

        /// <summary>Tails listening; guarded by the lock on the prefix table that holds this signal.</summary>
        public int Listeners { get; set; }

        public void Raise()
        {
            TaskCompletionSource raised;
            lock (_gate)
            {
                _count++;
                raised = _next;
                _next = NewNext();
            }

            raised.TrySetResult();
        }

        public (long Count, Task Next) Observe()
        {
            lock (_gate)
            {
                return (_count, _next.Task);
            }
        }

        // Asynchronous continuations: a writer that announces must not run every woken tail's poll on its own thread.
        private static TaskCompletionSource NewNext() => new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
