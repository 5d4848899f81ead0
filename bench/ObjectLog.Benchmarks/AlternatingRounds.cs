using System.Diagnostics;

namespace ObjectLog.Benchmarks;

/// <summary>
/// Runs contenders side by side on a shared, noisy machine: every round runs each contender once, starting from a
/// different one each round (AB, BA, …), so drift in the machine's load falls on all alike; figures are medians.
/// </summary>
internal static class AlternatingRounds
{
    /// <summary>Runs <paramref name="rounds"/> rounds and returns each contender's samples, in the contenders' order.</summary>
    public static async Task<List<T>[]> RunAsync<T>(int rounds, params Func<Task<T>>[] contenders)
    {
        List<T>[] samples = contenders.Select(_ => new List<T>()).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < contenders.Length; i++)
            {
                int which = (round + i) % contenders.Length;

                // Otherwise one contender's garbage is collected on the next one's clock.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                samples[which].Add(await contenders[which]());
            }
        }

        return samples;
    }

    public static async Task<double> TimeAsync(Func<Task> action)
    {
        long start = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    public static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The sample whose <paramref name="seconds"/> is the median (the lower one of an even count), so its other figures (request counts) come from that same run.</summary>
    public static T MedianSample<T>(IReadOnlyList<T> samples, Func<T, double> seconds)
        => samples.OrderBy(seconds).ElementAt((samples.Count - 1) / 2);
}
