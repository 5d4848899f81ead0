using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace ObjectLog.Storage;

/// <summary>What every <see cref="IObjectStore.DeleteManyAsync"/> shares: checking keys at the door, and accounting for each key.</summary>
internal static class BulkDelete
{
    /// <summary>How many single deletes the one-by-one fallback keeps in flight.</summary>
    public const int DefaultConcurrency = 8;

    /// <summary>
    /// Validates every key before the caller sends anything, and drops repeats (ordinal) keeping first-seen order,
    /// so a key is deleted, and reported, once.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> or one of its keys is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A key breaks the <see cref="ObjectKey"/> rules.</exception>
    public static List<string> Prepare(IReadOnlyCollection<string> keys, [CallerArgumentExpression(nameof(keys))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(keys, paramName);
        var seen = new HashSet<string>(keys.Count, StringComparer.Ordinal);
        var unique = new List<string>(keys.Count);
        foreach (string key in keys)
        {
            ObjectKey.Validate(key, paramName);
            if (seen.Add(key))
            {
                unique.Add(key);
            }
        }

        return unique;
    }

    /// <summary>Deletes each key with <see cref="IObjectStore.DeleteAsync"/>, <paramref name="concurrency"/> at a time.</summary>
    /// <exception cref="BulkDeleteException">Some deletes failed with an <see cref="ObjectStoreException"/>.</exception>
    public static async Task DeleteEachAsync(IObjectStore store, IReadOnlyCollection<string> keys, int concurrency, CancellationToken cancellationToken)
    {
        List<string> unique = Prepare(keys);
        cancellationToken.ThrowIfCancellationRequested();
        var outcome = new Outcome();
        await DeleteEachAsync(store, unique, concurrency, outcome, cancellationToken).ConfigureAwait(false);
        outcome.ThrowIfAnyFailed();
    }

    /// <summary>Deletes each of <paramref name="validKeys"/> (already checked) one by one, recording each outcome in <paramref name="outcome"/>.</summary>
    public static Task DeleteEachAsync(IObjectStore store, IEnumerable<string> validKeys, int concurrency, Outcome outcome, CancellationToken cancellationToken)
        => Parallel.ForEachAsync(
            validKeys,
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (key, ct) =>
            {
                try
                {
                    await store.DeleteAsync(key, ct).ConfigureAwait(false);
                    outcome.Deleted(key);
                }
                catch (ObjectStoreException e)
                {
                    outcome.Failed(key, e);
                }
            });

    /// <summary>Collects what happened to each key, from any number of concurrent requests.</summary>
    internal sealed class Outcome
    {
        private readonly ConcurrentQueue<string> _deleted = new();
        private readonly ConcurrentDictionary<string, ObjectStoreException> _failures = new(StringComparer.Ordinal);

        public void Deleted(string key) => _deleted.Enqueue(key);

        public void Failed(string key, ObjectStoreException error) => _failures.TryAdd(key, error);

        /// <exception cref="BulkDeleteException">Some key failed.</exception>
        public void ThrowIfAnyFailed()
        {
            if (!_failures.IsEmpty)
            {
                // A key both confirmed and refused (a store that answered twice) counts as refused: never claim a delete in doubt.
                throw new BulkDeleteException(_failures, _deleted.Where(k => !_failures.ContainsKey(k)).Distinct(StringComparer.Ordinal).ToList());
            }
        }
    }
}
