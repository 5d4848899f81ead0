namespace ObjectLog.Storage;

/// <summary>How a put treats an existing object with the same key.</summary>
public enum PutMode
{
    /// <summary>Replace any existing object.</summary>
    Overwrite,

    /// <summary>Fail with <see cref="ObjectAlreadyExistsException"/> if the key exists (HTTP <c>If-None-Match: *</c>).</summary>
    Create,

    /// <summary>
    /// Replace the object only while it is still at the version the caller read (HTTP <c>If-Match</c>); fail with
    /// <see cref="ObjectChangedException"/> if another writer changed or deleted it since. Only
    /// <see cref="IObjectStore.PutVersionedAsync"/> takes it, with that version, and only a store whose
    /// <see cref="IObjectStore.SupportsConditionalUpdate"/> is <see langword="true"/>; the stream puts refuse it with
    /// <see cref="ArgumentException"/>.
    /// </summary>
    Update,
}
