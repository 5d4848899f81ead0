using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// Lists again when an object vanished: the one retry every reader of a listing shares (reads, compaction, trims,
/// census and verify, last events).
/// </summary>
/// <remarks>
/// <para>
/// "Vanished" means a GET of an object a listing returned a moment ago answered not found
/// (<see cref="ObjectNotFoundException"/>): a compaction committed a merged object holding its batches and garbage
/// collection deleted it (superseded batch and merged objects, their manifests), or a trim's collection deleted what
/// the trim hides. Nothing is lost: a fresh listing finds the batches where they are now. A vanished object is
/// never retried by itself, since it never comes back; only a new listing helps.
/// </para>
/// <para>
/// Why 10: each relisting is needed only when a collection ran between a listing and a GET, which, with the default
/// grace periods, takes a compaction that commits and collects within that moment. Ten in a row means something
/// else is deleting the log's objects (a hand, or a lifecycle rule), and the caller's failure should say so rather
/// than loop. The first attempt is not a relisting, so a caller makes at most 11.
/// </para>
/// </remarks>
internal static class Relisting
{
    /// <summary>How many times a caller lists again after an object vanished before the vanishing is its failure.</summary>
    public const int MaxRelists = 10;

    /// <summary>Whether the caller lists again after <paramref name="relists"/> relistings already made: an object vanished and the budget allows.</summary>
    public static bool MayListAgain(Exception e, int relists) => e is ObjectNotFoundException && relists < MaxRelists;

    /// <summary>
    /// Runs <paramref name="attempt"/> (given how many relistings came before it) until it returns, listing again
    /// (calling it again) each time an object vanished, at most <see cref="MaxRelists"/> times.
    /// </summary>
    /// <exception cref="ObjectNotFoundException">An object vanished under the last attempt allowed.</exception>
    public static async Task<T> RetryWhenVanishedAsync<T>(Func<int, Task<T>> attempt)
    {
        for (int relists = 0; ; relists++)
        {
            try
            {
                return await attempt(relists).ConfigureAwait(false);
            }
            catch (Exception e) when (MayListAgain(e, relists))
            {
                // listed a moment ago, collected since: list again
            }
        }
    }
}
