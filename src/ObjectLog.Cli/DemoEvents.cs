using System.Globalization;
using System.Text;

namespace ObjectLog.Cli;

/// <summary>
/// The sample events <c>objlog demo</c> writes, one JSON object each: a trial number, an outcome, a loss and the time.
/// Also used by the benchmarks (bench/ObjectLog.Benchmarks, compression), so the corpus they measure is the
/// demo's own, not a copy that could drift from it.
/// </summary>
internal static class DemoEvents
{
    private static readonly string[] Outcomes = ["ok", "ok", "ok", "retry", "error"];

    /// <summary>Trial <paramref name="trial"/>'s event: the same <paramref name="random"/> sequence gives the same outcomes and losses.</summary>
    public static byte[] Next(Random random, int trial)
        => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"trial\":{trial},\"outcome\":\"{Outcomes[random.Next(Outcomes.Length)]}\",\"loss\":{random.NextDouble():F4},\"at\":\"{DateTimeOffset.UtcNow:O}\"}}"));
}
