namespace ObjectLog.Storage;

/// <summary>A store operation failed. Backends translate their SDK's errors into this type or a subclass.</summary>
public class ObjectStoreException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ObjectStoreException(string message, string? key = null, bool isTransient = false, Exception? innerException = null)
        : base(message, innerException)
    {
        Key = key;
        IsTransient = isTransient;
    }

    /// <summary>The key the failed operation addressed, if it addressed one.</summary>
    public string? Key { get; }

    /// <summary>Whether the same call may succeed if retried (a timeout, a throttle, a 5xx), as opposed to a mistake that will repeat.</summary>
    public bool IsTransient { get; }
}

/// <summary>No object has the key that was asked for.</summary>
public sealed class ObjectNotFoundException : ObjectStoreException
{
    /// <summary>Creates the exception.</summary>
    public ObjectNotFoundException(string key, Exception? innerException = null)
        : base($"Object '{key}' was not found.", key, isTransient: false, innerException)
    {
    }
}

/// <summary>A create-only put found an object already stored under its key.</summary>
public sealed class ObjectAlreadyExistsException : ObjectStoreException
{
    /// <summary>Creates the exception.</summary>
    public ObjectAlreadyExistsException(string key, Exception? innerException = null)
        : base($"Object '{key}' already exists.", key, isTransient: false, innerException)
    {
    }
}

/// <summary>
/// A conditional update (<see cref="PutMode.Update"/>) found the object no longer at the version it named: another
/// writer changed or deleted it since it was read. Nothing was written.
/// </summary>
public sealed class ObjectChangedException : ObjectStoreException
{
    /// <summary>Creates the exception.</summary>
    public ObjectChangedException(string key, string expectedVersion, Exception? innerException = null)
        : base($"Object '{key}' is no longer at version {expectedVersion}: another writer changed or deleted it.", key, isTransient: false, innerException)
    {
        ExpectedVersion = expectedVersion;
    }

    /// <summary>The version the update expected the object to be at.</summary>
    public string ExpectedVersion { get; }
}

/// <summary>
/// A bulk delete (<see cref="IObjectStore.DeleteManyAsync"/>) could not delete some of its keys. Every distinct key
/// it was given is in exactly one of <see cref="Failures"/> and <see cref="Deleted"/>.
/// </summary>
/// <remarks>
/// A key is in <see cref="Deleted"/> only when the store confirmed it (or confirmed it was already gone). A key whose
/// outcome is unknown, such as one in a request that timed out, is a failure, though the store may have deleted it.
/// </remarks>
public sealed class BulkDeleteException : ObjectStoreException
{
    private const int KeysInMessage = 3;

    /// <summary>Creates the exception.</summary>
    /// <param name="failures">Each key that was not deleted, with the error that says why; at least one. The exception copies it.</param>
    /// <param name="deleted">The keys the store confirmed deleted. The exception copies them.</param>
    /// <exception cref="ArgumentException"><paramref name="failures"/> is empty.</exception>
    public BulkDeleteException(IReadOnlyDictionary<string, ObjectStoreException> failures, IReadOnlyCollection<string> deleted)
        : base(Describe(failures, deleted), key: null, isTransient: failures.Count > 0 && failures.Values.All(e => e.IsTransient))
    {
        Failures = new SortedDictionary<string, ObjectStoreException>(failures.ToDictionary(), StringComparer.Ordinal);
        Deleted = [.. deleted];
    }

    /// <summary>Each key that was not deleted (or may not have been), with the error that says why, in ordinal key order.</summary>
    /// <remarks>Keys that failed together, in one request, can share one error.</remarks>
    public IReadOnlyDictionary<string, ObjectStoreException> Failures { get; }

    /// <summary>The keys the store confirmed deleted, including those it found already gone.</summary>
    public IReadOnlyList<string> Deleted { get; }

    private static string Describe(IReadOnlyDictionary<string, ObjectStoreException> failures, IReadOnlyCollection<string> deleted)
    {
        ArgumentNullException.ThrowIfNull(failures);
        ArgumentNullException.ThrowIfNull(deleted);
        if (failures.Count == 0)
        {
            throw new ArgumentException("A bulk delete failure needs at least one failed key.", nameof(failures));
        }

        IEnumerable<string> shown = failures.OrderBy(f => f.Key, StringComparer.Ordinal).Take(KeysInMessage).Select(f => $"'{f.Key}': {f.Value.Message}");
        string more = failures.Count > KeysInMessage ? $"; and {failures.Count - KeysInMessage} more" : "";
        return $"Could not delete {failures.Count} of {failures.Count + deleted.Count} objects ({string.Join("; ", shown)}{more}).";
    }
}
