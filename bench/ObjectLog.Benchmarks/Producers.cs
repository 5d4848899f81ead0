namespace ObjectLog.Benchmarks;

/// <summary>Several tasks appending to one log at once, as the threads of a busy service do.</summary>
internal static class Producers
{
    /// <summary>Appends <paramref name="events"/> copies of <paramref name="line"/> in all, split evenly over <paramref name="producers"/> tasks on the thread pool, each awaiting every append.</summary>
    public static Task AppendAsync(AppendLog log, byte[] line, int producers, int events)
        => Task.WhenAll(Enumerable.Range(0, producers).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < events / producers; i++)
            {
                await log.AppendAsync(line);
            }
        })));
}
