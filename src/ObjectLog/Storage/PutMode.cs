namespace ObjectLog.Storage;

/// <summary>How <see cref="IObjectStore.PutAsync(string, Stream, PutMode, CancellationToken)"/> treats an existing object with the same key.</summary>
public enum PutMode
{
    /// <summary>Replace any existing object.</summary>
    Overwrite,

    /// <summary>Fail with <see cref="ObjectAlreadyExistsException"/> if the key exists (HTTP <c>If-None-Match: *</c>).</summary>
    Create,
}
