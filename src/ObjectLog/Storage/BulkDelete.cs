using System.Runtime.CompilerServices;

namespace ObjectLog.Storage;

/// <summary>
/// What every <see cref="IObjectStore.DeleteManyAsync"/> shares: checking every key before anything is sent,
/// deleting each distinct key once, and accounting for each key in the <see cref="BulkDeleteException"/>.
/// </summary>
/// <remarks>
/// A backend with a bulk delete request implements <see cref="IObjectStore.DeleteManyAsync"/> with
/// <see cref="DeleteInBatchesAsync"/> and reads each key's outcome from the response; one without calls
/// <see cref="DeleteEachAsync(IObjectStore, IReadOnlyCollection{string}, int, CancellationToken)"/> (the interface's
/// default does, 8 at a time).
/// </remarks>
public static class BulkDelete
{
    /// <summary>How many single deletes the one-by-one default keeps in flight.</summary>
    public const int DefaultConcurrency = 8;

    /// <summary>
    /// Validates every key (see <see cref="ObjectKey.Validate"/>) before the caller sends anything, and drops repeats
    /// (ordinal), keeping first-seen order, so a key is deleted, and reported, once.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> or one of its keys is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A key breaks the <see cref="ObjectKey"/> rules.</exception>
    public static IReadOnlyList<string> Prepare(IReadOnlyCollection<string> keys, [CallerArgumentExpression(nameof(keys))] string? paramName = null)
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

    /// <summary>
    /// A whole <see cref="IObjectStore.DeleteManyAsync"/> for a store with a bulk delete request: prepares the keys
    /// (<see cref="Prepare"/>), sends them in batches of at most <paramref name="batchSize"/>,
    /// <paramref name="concurrency"/> batches at a time, and throws if any key failed.
    /// </summary>
    /// <param name="keys">The keys to delete, as the caller gave them.</param>
    /// <param name="batchSize">The most keys one request takes (S3: 1,000).</param>
    /// <param name="concurrency">How many requests may be in flight at once.</param>
    /// <param name="deleteBatchAsync">
    /// Sends one request for its keys (valid and distinct) and records every key's outcome in the
    /// <see cref="BulkDeleteOutcome"/>: a key whose outcome the answer does not state is a failure, never a success.
    /// It should record a failed request as a failure of each of its keys rather than throw.
    /// </param>
    /// <param name="cancellationToken">Stops the batches not yet sent.</param>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/>, one of its keys, or <paramref name="deleteBatchAsync"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A key breaks the <see cref="ObjectKey"/> rules; nothing was sent.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> or <paramref name="concurrency"/> is less than 1.</exception>
    /// <exception cref="BulkDeleteException">Some keys were recorded as failed.</exception>
    public static async Task DeleteInBatchesAsync(
        IReadOnlyCollection<string> keys,
        int batchSize,
        int concurrency,
        Func<IReadOnlyList<string>, BulkDeleteOutcome, CancellationToken, Task> deleteBatchAsync,
        CancellationToken cancellationToken)
    {
        IReadOnlyList<string> unique = Prepare(keys);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentNullException.ThrowIfNull(deleteBatchAsync);
        cancellationToken.ThrowIfCancellationRequested();
        var outcome = new BulkDeleteOutcome();
        await Parallel.ForEachAsync(
            unique.Chunk(batchSize),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            (batch, ct) => new ValueTask(deleteBatchAsync(batch, outcome, ct))).ConfigureAwait(false);
        outcome.ThrowIfAnyFailed();
    }

    /// <summary>
    /// A whole <see cref="IObjectStore.DeleteManyAsync"/> for a store without a bulk delete request: prepares the keys
    /// (<see cref="Prepare"/>), deletes each with <see cref="IObjectStore.DeleteAsync"/>,
    /// <paramref name="concurrency"/> at a time, and throws if any failed.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="store"/>, <paramref name="keys"/> or one of its keys is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A key breaks the <see cref="ObjectKey"/> rules; nothing was deleted.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="concurrency"/> is less than 1.</exception>
    /// <exception cref="BulkDeleteException">Some deletes failed with an <see cref="ObjectStoreException"/>.</exception>
    public static async Task DeleteEachAsync(IObjectStore store, IReadOnlyCollection<string> keys, int concurrency, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        IReadOnlyList<string> unique = Prepare(keys);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var outcome = new BulkDeleteOutcome();
        await DeleteEachAsync(store, unique, concurrency, outcome, cancellationToken).ConfigureAwait(false);
        outcome.ThrowIfAnyFailed();
    }

    /// <summary>
    /// Deletes each of <paramref name="keys"/> with <see cref="IObjectStore.DeleteAsync"/>,
    /// <paramref name="concurrency"/> at a time, recording each outcome in <paramref name="outcome"/>: for a batch of
    /// <see cref="DeleteInBatchesAsync"/> that falls back to single deletes (a server without the bulk request).
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="concurrency"/> is less than 1.</exception>
    public static Task DeleteEachAsync(IObjectStore store, IEnumerable<string> keys, int concurrency, BulkDeleteOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentNullException.ThrowIfNull(outcome);
        return Parallel.ForEachAsync(
            keys,
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (key, ct) =>
            {
                try
                {
                    await store.DeleteAsync(key, ct).ConfigureAwait(false);
                    outcome.MarkDeleted(key);
                }
                catch (ObjectStoreException e)
                {
                    outcome.MarkFailed(key, e);
                }
            });
    }
}
