using System.Globalization;
using System.Text;

namespace ObjectLog.Cli;

/// <summary>
/// The sample events <c>objlog demo</c> writes, one JSON object each: a trial number, a level, an outcome, a loss and the time.
/// Also used by the benchmarks (bench/ObjectLog.Benchmarks, compression), so the corpus they measure is the
/// demo's own, not a copy that could drift from it.
/// </summary>
internal static class DemoEvents
{
    /// <summary>Each outcome with the level it is logged at, so <c>objlog ui</c> charts the demo stacked by level.</summary>
    private static readonly (string Outcome, string Level)[] Outcomes = [("ok", "Information"), ("ok", "Information"), ("ok", "Information"), ("retry", "Warning"), ("error", "Error")];

    /// <summary>Trial <paramref name="trial"/>'s event: the same <paramref name="random"/> sequence gives the same outcomes and losses.</summary>
    public static byte[] Next(Random random, int trial)
    {
        (string outcome, string level) = Outcomes[random.Next(Outcomes.Length)];
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"trial\":{trial},\"level\":\"{level}\",\"outcome\":\"{outcome}\",\"loss\":{random.NextDouble():F4},\"at\":\"{DateTimeOffset.UtcNow:O}\"}}"));
    }
}
