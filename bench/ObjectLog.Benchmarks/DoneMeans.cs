using System.Globalization;

namespace ObjectLog.Benchmarks;

/// <summary>
/// The goals a benchmark's figures are held to, printed PASS or FAIL at the end. A report, not a gate, unless the
/// benchmark makes it one (<see cref="AnyFailed"/>): a noisy shared machine or a quick run's small sizes can miss a
/// goal the code meets.
/// </summary>
internal sealed class DoneMeans(bool quick)
{
    private readonly List<string> _lines = [];

    /// <summary>Whether any goal recorded so far was missed.</summary>
    public bool AnyFailed { get; private set; }

    /// <summary>Records one goal: <paramref name="ratio"/> must be at least <paramref name="atLeast"/>.</summary>
    public void Check(string figure, double ratio, double atLeast) => Record(figure, ratio >= atLeast, $"≥ {atLeast:0.0#}×");

    /// <summary>Records one goal: <paramref name="ratio"/> must be at most <paramref name="atMost"/>.</summary>
    public void CheckAtMost(string figure, double ratio, double atMost) => Record(figure, ratio <= atMost, $"≤ {atMost:0.0#}×");

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

    private void Record(string figure, bool met, FormattableString goal)
    {
        AnyFailed |= !met;
        _lines.Add(string.Create(CultureInfo.InvariantCulture, $"- {(met ? "PASS" : "FAIL")}: {figure} (goal {goal.ToString(CultureInfo.InvariantCulture)})"));
    }
}
