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
