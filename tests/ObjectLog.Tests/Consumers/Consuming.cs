using System.Text;
using ObjectLog.Internal;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Consumers;

/// <summary>What the consumer tests share: a fast-polling log, reading a number of events, and the stored state.</summary>
internal static class Consuming
{
    public static AppendLogOptions Fast(TimeProvider? time = null) => new()
    {
        FlushThreshold = 1000,
        FlushInterval = Timeout.InfiniteTimeSpan,
        TailPollInterval = TimeSpan.FromMilliseconds(20),
        TimeProvider = time ?? TimeProvider.System,
    };

    public static string Text(LogEvent e) => Encoding.UTF8.GetString(e.Data);

    public static async Task AppendBatchAsync(AppendLog log, params string[] events)
    {
        foreach (string e in events)
        {
            await log.AppendAsync(Encoding.UTF8.GetBytes(e));
        }

        await log.FlushAsync();
    }

    /// <summary>Reads <paramref name="count"/> events and stops (the last one is delivered but not handled: its successor was not asked for).</summary>
    public static async Task<List<LogEvent>> TakeAsync(LogConsumer consumer, int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        var taken = new List<LogEvent>();
        if (count == 0)
        {
            return taken;
        }

        await foreach (LogEvent e in consumer.ReadAsync(cts.Token))
        {
            taken.Add(e);
            if (taken.Count == count)
            {
                break;
            }
        }

        return taken;
    }

    /// <summary>Reads for <paramref name="quiet"/> and returns what arrived: for asserting that nothing more is delivered.</summary>
    public static async Task<List<LogEvent>> DrainAsync(LogConsumer consumer, TimeSpan quiet)
    {
        using var cts = new CancellationTokenSource(quiet);
        var taken = new List<LogEvent>();
        try
        {
            await foreach (LogEvent e in consumer.ReadAsync(cts.Token))
            {
                taken.Add(e);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
        }

        return taken;
    }

    /// <summary>The consumer's state as stored, or <see langword="null"/> if it has none.</summary>
    public static async Task<ConsumerState?> StoredStateAsync(IObjectStore store, AppendLog log, string name)
    {
        string key = ConsumerNames.Key(log.KeyPrefix, name);
        try
        {
            VersionedObject read = await store.GetVersionedAsync(key);
            return ConsumerState.Parse(key, read.Content);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Waits, in real time, until <paramref name="condition"/> holds; fails naming <paramref name="what"/> after 10 seconds.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(2);
        }
    }
}
