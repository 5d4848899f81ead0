namespace ObjectLog.Internal;

/// <summary>See <see cref="CompactionPolicy.SizeTiered"/>.</summary>
internal sealed class SizeTieredPolicy(int fanIn, long minObjectBytes) : CompactionPolicy
{
    internal override IReadOnlySet<string> Choose(LogSnapshot snapshot)
    {
        // Sources in log order of their first unit, with the bytes read from each.
        var order = new List<string>();
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (ReadUnit unit in snapshot.Units)
        {
            if (unit.Key is null)
            {
                continue;
            }

            if (!sizes.TryGetValue(unit.Key, out long size))
            {
                order.Add(unit.Key);
            }

            sizes[unit.Key] = size + unit.Size;
        }

        // The lowest tier with a run of at least fanIn adjacent, wholly read sources wins; a partial source breaks runs.
        (int Tier, int Start, int Length)? best = null;
        int i = 0;
        while (i < order.Count)
        {
            if (snapshot.Partial.Contains(order[i]))
            {
                i++;
                continue;
            }

            int tier = Tier(sizes[order[i]]);
            int j = i + 1;
            while (j < order.Count && !snapshot.Partial.Contains(order[j]) && Tier(sizes[order[j]]) == tier)
            {
                j++;
            }

            if (j - i >= fanIn && (best is null || tier < best.Value.Tier))
            {
                best = (tier, i, j - i);
            }

            i = j;
        }

        return best is { } run
            ? order.GetRange(run.Start, run.Length).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
    }

    private int Tier(long size)
    {
        int tier = 0;
        for (long bound = minObjectBytes; size > bound && tier < 62; bound = bound > long.MaxValue / fanIn ? long.MaxValue : bound * fanIn)
        {
            tier++;
        }

        return tier;
    }
}
