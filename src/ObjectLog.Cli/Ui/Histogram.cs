namespace ObjectLog.Cli.Ui;

/// <summary>One bar of the histogram: events from <paramref name="Start"/> for the histogram's bucket width, by level.</summary>
internal sealed record HistogramBucket(DateTimeOffset Start, IReadOnlyDictionary<string, long> Counts, long Total);

/// <summary>
/// The <c>histogram</c> endpoint's answer: the events that pass the filter per time bucket, by level. Buckets are by
/// batch time, the time the log orders and ranges by, so dragging across bars selects exactly the events they count.
/// It reads the range once, forward, in a few slices at once, holding one count per bucket and level: memory follows
/// the buckets, not the log.
/// </summary>
/// <param name="From">The first bucket's start.</param>
/// <param name="Until">The end of the last bucket.</param>
/// <param name="BucketSeconds">Each bucket's width.</param>
/// <param name="Levels">The levels counted, least severe first; <c>none</c> (no level) last.</param>
/// <param name="Buckets">Every bucket, empty ones included, oldest first.</param>
/// <param name="Total">Events counted.</param>
internal sealed record Histogram(DateTimeOffset From, DateTimeOffset Until, long BucketSeconds, IReadOnlyList<string> Levels, IReadOnlyList<HistogramBucket> Buckets, long Total)
{
    /// <summary>The most slices a histogram's range is read in at once.</summary>
    private const int MaxSlices = 4;

    /// <summary>The bucket widths, in seconds: round steps a person reads at a glance.</summary>
    private static readonly long[] Steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000, 31536000];

    /// <summary>Counts the events of [<paramref name="from"/>, <paramref name="until"/>) that pass <paramref name="filter"/> in at most <paramref name="maxBuckets"/> buckets.</summary>
    /// <remarks>
    /// A batch named after <paramref name="until"/> is read only if the range is open (<paramref name="openEnd"/>: "the
    /// last hour" goes on to now): such a batch, named a moment ahead by a writer whose clock runs fast, counts in the
    /// last bucket rather than be lost from the chart while the table shows it.
    /// </remarks>
    public static async Task<Histogram> CountAsync(AppendLog log, DateTimeOffset from, DateTimeOffset until, bool openEnd, EventFilter filter, int maxBuckets, CancellationToken cancellationToken)
    {
        long seconds = Math.Max(1, (long)Math.Ceiling((until - from).TotalSeconds));
        long step = Steps.FirstOrDefault(s => (seconds + s - 1) / s + 1 <= maxBuckets, Steps[^1]);
        long startSeconds = Floor(from.ToUnixTimeSeconds(), step);
        int count = (int)Math.Max(1, (Floor(Math.Max(until.ToUnixTimeSeconds() - 1, startSeconds), step) - startSeconds) / step + 1);
        // The range is read in slices at bucket edges, one a core, at once: the read is CPU-bound (every event is
        // decoded and its level found), and range reads fetch merged objects that straddle a slice's edge by byte range.
        int parts = Math.Clamp(Math.Min(Environment.ProcessorCount, MaxSlices), 1, count);
        Task<Dictionary<string, long[]>>[] slices = new Task<Dictionary<string, long[]>>[parts];
        for (int p = 0; p < parts; p++)
        {
            DateTimeOffset sliceFrom = p == 0 ? from : DateTimeOffset.FromUnixTimeSeconds(startSeconds + (step * (count * p / parts)));
            DateTimeOffset? sliceUntil = p < parts - 1 ? DateTimeOffset.FromUnixTimeSeconds(startSeconds + (step * (count * (p + 1) / parts))) : openEnd ? null : until;
            slices[p] = Task.Run(() => CountSliceAsync(log, sliceFrom, sliceUntil, startSeconds, step, count, filter, cancellationToken), cancellationToken);
        }

        var levels = new Dictionary<string, long[]>(StringComparer.Ordinal);
        long total = 0;
        foreach (Dictionary<string, long[]> slice in await Task.WhenAll(slices).ConfigureAwait(false))
        {
            foreach ((string level, long[] sliceCounts) in slice)
            {
                if (!levels.TryGetValue(level, out long[]? counts))
                {
                    levels[level] = counts = new long[count];
                }

                for (int i = 0; i < count; i++)
                {
                    counts[i] += sliceCounts[i];
                    total += sliceCounts[i];
                }
            }
        }

        List<string> order = [.. levels.Keys.OrderBy(EventLevel.Rank).ThenBy(l => l, StringComparer.Ordinal)];
        var buckets = new List<HistogramBucket>(count);
        for (int i = 0; i < count; i++)
        {
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            long sum = 0;
            foreach (string level in order)
            {
                if (levels[level][i] is > 0 and long n)
                {
                    counts[level] = n;
                    sum += n;
                }
            }

            buckets.Add(new HistogramBucket(DateTimeOffset.FromUnixTimeSeconds(startSeconds + i * step), counts, sum));
        }

        return new Histogram(DateTimeOffset.FromUnixTimeSeconds(startSeconds), DateTimeOffset.FromUnixTimeSeconds(startSeconds + count * step), step, order, buckets, total);
    }

    /// <summary>Counts one slice's events that pass <paramref name="filter"/> by level and bucket.</summary>
    private static async Task<Dictionary<string, long[]>> CountSliceAsync(AppendLog log, DateTimeOffset from, DateTimeOffset? until, long startSeconds, long step, int count, EventFilter filter, CancellationToken cancellationToken)
    {
        var levels = new Dictionary<string, long[]>(StringComparer.Ordinal);
        string? batch = null;
        int bucket = 0;
        await foreach (LogEvent e in log.ReadEventsAsync(from, until, cancellationToken).ConfigureAwait(false))
        {
            if (!ReferenceEquals(batch, e.Position.Batch))
            {
                batch = e.Position.Batch; // a batch's events share their name: its time is worked out once
                long at = (long)Math.Floor((e.Position.BatchTime.ToUnixTimeMilliseconds() / 1000.0 - startSeconds) / step);
                bucket = (int)Math.Clamp(at, 0, count - 1);
            }

            string? level = EventLevel.Of(e.Data);
            if (!filter.Matches(e.Data, level))
            {
                continue;
            }

            string key = level ?? EventLevel.None;
            if (!levels.TryGetValue(key, out long[]? counts))
            {
                levels[key] = counts = new long[count];
            }

            counts[bucket]++;
        }

        return levels;
    }

    private static long Floor(long value, long step) => value - (((value % step) + step) % step);
}
