using System.Collections.Concurrent;

namespace ObjectLog.Storage;

/// <summary>
/// Dedicated threads for the filesystem store's blocking work (writes, fsyncs, renames), so several puts at once
/// never hold thread-pool threads through their fsyncs (starving the application's own work), and a put does not
/// pay for a new thread either: threads are reused, started as work queues up beyond the idle ones, at most
/// <see cref="MaxThreads"/>, and end after <see cref="IdleTimeout"/> without work.
/// </summary>
internal static class BlockingIoThreads
{
    /// <summary>Blocking calls in flight at most, across every store in the process; more wait their turn.</summary>
    public const int MaxThreads = 32;

    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
    private static readonly BlockingCollection<(Action Work, TaskCompletionSource Done)> Queue = [];
    private static int s_threads;
    private static int s_idle;

    /// <summary>Runs <paramref name="work"/> on one of the threads; the task completes (on the pool) with its outcome.</summary>
    public static Task RunAsync(Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add((work, done));
        if (Volatile.Read(ref s_idle) < Queue.Count)
        {
            StartThreadIfRoom();
        }

        return done.Task;
    }

    private static void StartThreadIfRoom()
    {
        int n;
        while ((n = Volatile.Read(ref s_threads)) < MaxThreads)
        {
            if (Interlocked.CompareExchange(ref s_threads, n + 1, n) == n)
            {
                new Thread(Serve) { IsBackground = true, Name = "ObjectLog file I/O" }.Start();
                return;
            }
        }
    }

    private static void Serve()
    {
        while (true)
        {
            Interlocked.Increment(ref s_idle);
            bool got = Queue.TryTake(out var item, IdleTimeout);
            Interlocked.Decrement(ref s_idle);
            if (!got)
            {
                Interlocked.Decrement(ref s_threads);
                if (Queue.Count > 0)
                {
                    StartThreadIfRoom(); // work arrived as this thread gave up
                }

                return;
            }

            try
            {
                item.Work();
                item.Done.TrySetResult();
            }
            catch (Exception e)
            {
                item.Done.TrySetException(e);
            }
        }
    }
}
