using ObjectLog.Internal;

namespace ObjectLog;

/// <summary>Which objects a compaction merges. The policy only chooses; the commit protocol is the same for all.</summary>
public abstract class CompactionPolicy
{
    private protected CompactionPolicy()
    {
    }

    /// <summary>Merge every object a reader reads into one. Rewrites the whole log: use it rarely, or on small logs.</summary>
    public static CompactionPolicy All { get; } = new AllPolicy();

    /// <summary>
    /// Size-tiered merging: objects fall in tiers by size (tier 0 up to <paramref name="minObjectBytes"/>, then
    /// each tier <paramref name="fanIn"/> times larger); a run of at least <paramref name="fanIn"/> adjacent
    /// objects (in log order) of one tier is merged into one object of a higher tier. Each byte is therefore
    /// rewritten at most once per tier, O(log N) times in all, and the object count stays O(fanIn × log N).
    /// Run it as often as you like (after every flush, say): when no tier is full it does nothing and costs one
    /// listing.
    /// </summary>
    /// <param name="fanIn">Objects merged at a time, at least 2. Default 4.</param>
    /// <param name="minObjectBytes">The size below which every object is in tier 0. Default 1 MiB.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fanIn"/> is less than 2, or <paramref name="minObjectBytes"/> less than 1.</exception>
    public static CompactionPolicy SizeTiered(int fanIn = 4, long minObjectBytes = 1024 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fanIn, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(minObjectBytes, 1);
        return new SizeTieredPolicy(fanIn, minObjectBytes);
    }

    /// <summary>
    /// Merges nothing: only what every compaction does first and last (writes missing end markers, deletes what is
    /// garbage by the grace periods), as <c>objlog verify --repair</c> does.
    /// </summary>
    public static CompactionPolicy Nothing { get; } = new NothingPolicy();

    /// <summary>Chooses the sources (object keys) to merge from a plan; fewer than two means nothing to do.</summary>
    internal abstract IReadOnlySet<string> Choose(LogSnapshot snapshot);

    private sealed class AllPolicy : CompactionPolicy
    {
        internal override IReadOnlySet<string> Choose(LogSnapshot snapshot) => snapshot.Sources;
    }

    private sealed class NothingPolicy : CompactionPolicy
    {
        internal override IReadOnlySet<string> Choose(LogSnapshot snapshot) => new HashSet<string>();
    }
}
