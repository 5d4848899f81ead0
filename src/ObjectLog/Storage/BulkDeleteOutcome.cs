using System.Collections.Concurrent;

namespace ObjectLog.Storage;

/// <summary>
/// What happened to each key of one <see cref="BulkDelete.DeleteInBatchesAsync"/>, recorded by its batches from any
/// number of threads at once; at the end, a key marked failed (even if also marked deleted: never claim a delete in
/// doubt) is in the <see cref="BulkDeleteException"/>'s failures, the others in its deleted keys.
/// </summary>
public sealed class BulkDeleteOutcome
{
    private readonly ConcurrentQueue<string> _deleted = new();
    private readonly ConcurrentDictionary<string, ObjectStoreException> _failures = new(StringComparer.Ordinal);

    internal BulkDeleteOutcome()
    {
    }

    /// <summary>Records that the store confirmed <paramref name="key"/> deleted, or already gone.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    public void MarkDeleted(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _deleted.Enqueue(key);
    }

    /// <summary>
    /// Records that <paramref name="key"/> was not deleted, or may not have been (its request failed or its answer
    /// does not mention it), with the error that says why. A key's first recorded error is the one kept.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public void MarkFailed(string key, ObjectStoreException error)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(error);
        _failures.TryAdd(key, error);
    }

    /// <exception cref="BulkDeleteException">Some key failed.</exception>
    internal void ThrowIfAnyFailed()
    {
        if (!_failures.IsEmpty)
        {
            throw new BulkDeleteException(_failures, _deleted.Where(k => !_failures.ContainsKey(k)).Distinct(StringComparer.Ordinal).ToList());
        }
    }
}
