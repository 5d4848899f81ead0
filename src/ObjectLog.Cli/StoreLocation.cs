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

    /// <param name="location">The store.</param>
    /// <param name="url">The URL it was opened from.</param>
    /// <param name="log">The log's prefix under the URL's own, or empty where the URL's prefix is the log; <see langword="null"/> for the store alone.</param>
    private StoreLocation(ObjectStoreLocation location, string url, string? log)
    {
        _location = location;
        _url = url;
        LogPrefix = log is null ? location.Prefix : location.PrefixFor(log);
        Description = string.IsNullOrEmpty(log) ? location.Description : $"{location.Description} (log '{log}')";
        HasLog = log is not null;
    }

    /// <summary>Whether the location names a log (<see cref="LogPrefix"/> is the log's); otherwise it is the store alone, and <see cref="LogPrefix"/> the store URL's own prefix.</summary>
    public bool HasLog { get; }

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

        ObjectStoreLocation location = Open(store, environment, "--store");
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

    /// <summary>Parses <c>--store</c> alone, for a command that finds the logs in it (<c>ui</c>).</summary>
    /// <exception cref="ArgumentException">The URL is malformed.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="mustExist"/> is set and the store is a folder that does not exist.</exception>
    public static StoreLocation ParseStore(string store, Func<string, string?>? environment = null, bool mustExist = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(store);
        if (mustExist && LocalFolder(store) is { Length: > 0 } folder && !Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"no store at '{folder}': the folder does not exist (nothing was created).");
        }

        return new StoreLocation(Open(store, environment, "--store"), store, log: null);
    }

    /// <summary>
    /// Parses a log's URL, as the logger provider and the hosting package take it (<see cref="ObjectStoreUrl"/>): the
    /// URL's prefix is the log, so <c>s3://BUCKET/app-logs</c> is the log <c>app-logs</c> in the bucket. A folder URL
    /// (<c>file://./objectlog-data/app-logs</c>) is the log's own folder: the store is the folder it is in and the log
    /// its name, which are the same files.
    /// </summary>
    /// <exception cref="ArgumentException">The URL is malformed, or names a store but no log in it.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="mustExist"/> is set and the folder the log's folder is in does not exist.</exception>
    public static StoreLocation ParseLogUrl(string url, Func<string, string?>? environment = null, bool mustExist = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        if (LocalFolder(url) is { } folder)
        {
            string path = folder.TrimEnd('/', Path.DirectorySeparatorChar);
            string name = Path.GetFileName(path);
            if (name is "" or "." or "..")
            {
                throw new ArgumentException($"'{url}' names no log: give the log's own folder, such as {DefaultStore}/app-logs.", "log");
            }

            return Parse(Path.GetDirectoryName(path) is { Length: > 0 } parent ? parent : ".", name, environment, mustExist);
        }

        ObjectStoreLocation location = Open(url, environment, "log URL");
        if (location.Prefix.Length == 0)
        {
            location.Dispose();
            throw new ArgumentException($"'{location.Description}' names no log: add the log's prefix to the URL's path (as s3://BUCKET/app-logs), or give it with --store and --log.", "log");
        }

        return new StoreLocation(location, url, "");
    }

    /// <summary>Opens a store URL as <c>objlog</c> does: its clients fail in seconds, as a person is waiting.</summary>
    /// <exception cref="ArgumentException">The URL is malformed; the message starts with <paramref name="what"/>.</exception>
    private static ObjectStoreLocation Open(string url, Func<string, string?>? environment, string what)
    {
        try
        {
            return ObjectStoreUrl.OpenWith(url, environment, StoreClientPolicy.FailFast);
        }
        catch (ArgumentException e) when (e.ParamName == "url")
        {
            throw new ArgumentException($"{what}: {e.Message.Replace(" (Parameter 'url')", "", StringComparison.Ordinal)}", what, e);
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
