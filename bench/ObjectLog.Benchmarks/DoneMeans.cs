using System.Globalization;

namespace ObjectLog.Benchmarks;

/// <summary>
/// The goals a benchmark's figures are held to, printed PASS or FAIL at the end. A report, not a gate: the exit
/// code stays 0, since a noisy shared machine or a quick run's small sizes can miss a goal the code meets.
/// </summary>
internal sealed class DoneMeans(bool quick)
{
    private readonly List<string> _lines = [];

    /// <summary>Records one goal: <paramref name="ratio"/> must be at least <paramref name="atLeast"/>.</summary>
    public void Check(string figure, double ratio, double atLeast)
        => _lines.Add(string.Create(CultureInfo.InvariantCulture, $"- {(ratio >= atLeast ? "PASS" : "FAIL")}: {figure} (goal ≥ {atLeast:0.0#}×)"));

    /// <summary>Records one goal: <paramref name="ratio"/> must be at most <paramref name="atMost"/>.</summary>
    public void CheckAtMost(string figure, double ratio, double atMost)
        => _lines.Add(string.Create(CultureInfo.InvariantCulture, $"- {(ratio <= atMost ? "PASS" : "FAIL")}: {figure} (goal ≤ {atMost:0.0#}×)"));

    public void Print()
    {
        Console.WriteLine("## Done means");
        Console.WriteLine();
        if (quick)
        {
            Console.WriteLine("(A quick run: sizes are cut and there is one round, so these say little; run without --quick to judge.)");
            Console.WriteLine();
        }

        _lines.ForEach(Console.WriteLine);
    }
}
