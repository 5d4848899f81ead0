namespace ObjectLog.Storage;

/// <summary>
/// A store and a key prefix in it, opened from a store URL by <see cref="ObjectStoreUrl.Open"/>. Disposing it
/// disposes the SDK client the URL's scheme created, if any; the store is not usable afterwards.
/// </summary>
public sealed class ObjectStoreLocation : IDisposable
{
    private readonly IDisposable? _owned;

    /// <summary>Creates a location; a scheme registered with <see cref="ObjectStoreUrl"/> returns one.</summary>
    /// <param name="store">The store.</param>
    /// <param name="prefix">The key prefix the URL names inside the store, without a trailing <c>/</c>; empty for the store's root.</param>
    /// <param name="description">Where the store is, for people and error messages: it must not contain credentials.</param>
    /// <param name="owned">Disposed with the location, such as the SDK client behind <paramref name="store"/>.</param>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="owned"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> is not a valid key prefix.</exception>
    public ObjectStoreLocation(IObjectStore store, string prefix, string description, IDisposable? owned = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ObjectKey.ValidatePrefix(prefix);
        ArgumentNullException.ThrowIfNull(description);
        Store = store;
        Prefix = prefix.TrimEnd('/');
        Description = description;
        _owned = owned;
    }

    /// <summary>The store.</summary>
    public IObjectStore Store { get; }

    /// <summary>The key prefix the URL names, without a trailing <c>/</c>; empty for the store's root.</summary>
    public string Prefix { get; }

    /// <summary>Where the store is, for people: never credentials.</summary>
    public string Description { get; }

    /// <summary>The prefix <paramref name="log"/> under <see cref="Prefix"/>, as <see cref="AppendLog"/> takes it.</summary>
    /// <exception cref="ArgumentException"><paramref name="log"/> is not a valid key prefix, or the prefix it makes cannot hold a log (see <see cref="ObjectKey.ValidateLogPrefix"/>).</exception>
    public string PrefixFor(string log)
    {
        ObjectKey.ValidatePrefix(log);
        log = log.Trim('/');
        string prefix = Prefix.Length == 0 ? log : log.Length == 0 ? Prefix : $"{Prefix}/{log}";
        ObjectKey.ValidateLogPrefix(prefix, nameof(log));
        return prefix;
    }

    /// <summary>Disposes what the URL's scheme created for this location (an SDK client); the store is unusable afterwards.</summary>
    public void Dispose() => _owned?.Dispose();
}
