using ObjectLog.Storage;

namespace ObjectLog.Cli;

/// <summary>
/// Where a command's log lives, from <c>--store</c> (a URL that <see cref="ObjectStoreUrl"/> opens; see it for
/// the schemes) and <c>--log</c>. The log is the prefix <c>--log</c> under the store URL's own prefix.
/// Secrets never appear in <see cref="Description"/> or in error messages.
/// </summary>
internal sealed class StoreLocation : IDisposable
{
    public const string DefaultStore = "file://./objectlog-data";

    private readonly ObjectStoreLocation _location;
    private readonly string _url;

    private StoreLocation(ObjectStoreLocation location, string url, string log)
    {
        _location = location;
        _url = url;
        LogPrefix = location.PrefixFor(log);
        Description = $"{location.Description} (log '{log}')";
    }

    public IObjectStore Store => _location.Store;

    /// <summary>The log's full key prefix, without a trailing '/'.</summary>
    public string LogPrefix { get; }

    /// <summary>Where the log is, for people: no credentials.</summary>
    public string Description { get; }

    public void Dispose() => _location.Dispose();

    /// <summary>
    /// Where a program other than this one finds <paramref name="key"/>: an absolute file path for a folder store,
    /// <c>s3://BUCKET/KEY</c> or <c>az://CONTAINER/KEY</c> in the cloud (the URL's query, which may hold secrets, is
    /// left out); <see langword="null"/> for <c>memory://</c>, which lives inside this process.
    /// </summary>
    public string? ExternalPathOf(string key)
    {
        if (Store is FileSystemObjectStore folder)
        {
            return Path.Combine(folder.RootDirectory, key.Replace('/', Path.DirectorySeparatorChar));
        }

        int schemeEnd = _url.IndexOf("://", StringComparison.Ordinal);
        string scheme = _url[..schemeEnd].ToLowerInvariant();
        if (scheme == "memory")
        {
            return null;
        }

        string rest = _url[(schemeEnd + 3)..];
        int end = rest.IndexOfAny(['/', '?']);
        return $"{scheme}://{(end < 0 ? rest : rest[..end])}/{key}";
    }

    /// <summary>Parses <c>--store</c> and <c>--log</c>.</summary>
    /// <exception cref="ArgumentException">A value is malformed; the message says which and why, without echoing secrets.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="mustExist"/> is set and the store is a folder that does not exist: opening it would create it.</exception>
    public static StoreLocation Parse(string store, string log, Func<string, string?>? environment = null, bool mustExist = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(store);
        CheckLog(() => ObjectKey.ValidatePrefix(log, "--log"));
        log = log.TrimEnd('/');
        if (log.Length == 0)
        {
            throw new ArgumentException("--log must name a log (a key prefix such as 'events').", "--log");
        }

        string? local = LocalFolder(store);
        if (local is not null)
        {
            // A folder store has no prefix of its own, so the log is the whole prefix: check it before the folder is
            // created. Elsewhere the store URL's prefix comes first, and the whole is checked once the URL is read.
            CheckLog(() => ObjectKey.ValidateLogPrefix(log, "--log"));
        }

        if (mustExist && local is { Length: > 0 } folder && !Directory.Exists(folder))
        {
            // FileSystemObjectStore creates its folder, so a read-only command checks first: a mistyped path must
            // not leave a folder behind and read as an empty log.
            throw new DirectoryNotFoundException($"no store at '{folder}': the folder does not exist (nothing was created).");
        }

        ObjectStoreLocation location;
        try
        {
            location = ObjectStoreUrl.OpenWith(store, environment, StoreClientPolicy.FailFast); // a person is waiting: fail in seconds
        }
        catch (ArgumentException e) when (e.ParamName == "url")
        {
            throw new ArgumentException($"--store: {e.Message.Replace(" (Parameter 'url')", "", StringComparison.Ordinal)}", "--store", e);
        }

        try
        {
            return new StoreLocation(location, store, log);
        }
        catch (ArgumentException e)
        {
            location.Dispose();
            throw new ArgumentException($"--log: {UserTerms.Of(e)}", "--log", e);
        }
    }

    /// <summary>Runs a check of <c>--log</c>, naming the option in what it throws.</summary>
    /// <exception cref="ArgumentException">The check failed.</exception>
    private static void CheckLog(Action check)
    {
        try
        {
            check();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--log: {UserTerms.Of(e)}", "--log", e);
        }
    }

    /// <summary>The folder a <c>file://</c> URL or plain path names (as <see cref="ObjectStoreUrl"/> reads it), or <see langword="null"/> for other schemes.</summary>
    private static string? LocalFolder(string store)
    {
        int schemeEnd = store.IndexOf("://", StringComparison.Ordinal);
        return schemeEnd < 0 ? store
            : store[..schemeEnd].Equals("file", StringComparison.OrdinalIgnoreCase) ? store[(schemeEnd + 3)..]
            : null;
    }
}
