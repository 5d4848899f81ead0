using System.Globalization;

namespace ObjectLog.Benchmarks;

/// <summary>Store requests by kind: what object storage bills for, and what each costs a round trip.</summary>
internal readonly record struct RequestCounts(long Puts, long Gets, long Deletes, long Lists)
{
    public long Total => Puts + Gets + Deletes + Lists;

    public static RequestCounts operator -(RequestCounts after, RequestCounts before)
        => new(after.Puts - before.Puts, after.Gets - before.Gets, after.Deletes - before.Deletes, after.Lists - before.Lists);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Puts} PUT, {Gets} GET, {Deletes} DELETE, {Lists} LIST");
}
