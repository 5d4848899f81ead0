namespace ObjectLog.Cli;

/// <summary>
/// Names cut to a table column's width: what tells a name from the others (after the start they all share, which a
/// log's names mostly do: <c>batch_</c> and the leading digits of the time), then its end (checksum and extension)
/// after an ellipsis. Whole names go to pipes and <c>--json</c>.
/// </summary>
internal static class ShortName
{
    /// <summary>The narrowest a name is cut to, whatever the terminal: narrower says nothing.</summary>
    public const int MinWidth = 16;

    /// <summary>For each of <paramref name="names"/>, how many characters it shares with every name of its kind (the text up to its first <c>_</c>); 0 when alone in its kind.</summary>
    public static int[] SharedStarts(IReadOnlyList<string> names)
    {
        var byKind = names.GroupBy(n => n[..(n.IndexOf('_', StringComparison.Ordinal) + 1)], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count() < 2 ? 0 : g.Aggregate(g.First().Length, (shared, n) => n.AsSpan(0, Math.Min(shared, n.Length)).CommonPrefixLength(g.First().AsSpan(0, Math.Min(shared, n.Length)))), StringComparer.Ordinal);
        return [.. names.Select(n => byKind[n[..(n.IndexOf('_', StringComparison.Ordinal) + 1)]])];
    }

    /// <summary><paramref name="name"/> as it is if it fits <paramref name="width"/>; else from past its first <paramref name="shared"/> characters, its middle elided.</summary>
    public static string Fit(string name, int width, int shared)
    {
        if (name.Length <= width)
        {
            return name;
        }

        width = Math.Max(width, MinWidth);
        int skip = Math.Min(shared, name.Length - width + 1);
        string start = skip > 0 ? "…" : "";
        string rest = name[skip..];
        if (start.Length + rest.Length <= width)
        {
            return start + rest;
        }

        int kept = width - start.Length - 1; // the middle's ellipsis
        int head = kept * 2 / 3;
        return string.Concat(start, rest.AsSpan(0, head), "…", rest.AsSpan(rest.Length - (kept - head)));
    }
}
