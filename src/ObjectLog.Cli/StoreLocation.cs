using ObjectLog.Storage;

namespace ObjectLog.Cli;

/// <summary>
/// Where a command's log lives, from <c>--store</c> and <c>--log</c>. <c>--store</c> is a URL: <c>file://PATH</c>
/// (or a plain path) for a folder on this machine. The log is the prefix <c>--log</c> under it.
/// </summary>
internal sealed record StoreLocation(IObjectStore Store, string LogPrefix, string Description)
{
    public const string DefaultStore = "file://./objectlog-data";

    public static StoreLocation Parse(string store, string log)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(store);
        ObjectKey.ValidatePrefix(log, "--log");
        if (log.Length == 0)
        {
            throw new ArgumentException("--log must name a log (a key prefix such as 'events').", "--log");
        }

        string path;
        if (store.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            path = store["file://".Length..];
        }
        else if (store.Contains("://", StringComparison.Ordinal))
        {
            string scheme = store[..store.IndexOf("://", StringComparison.Ordinal)];
            throw new ArgumentException($"--store: unsupported scheme '{scheme}://' (use file://PATH or a folder path).", "--store");
        }
        else
        {
            path = store;
        }

        if (path.Length == 0)
        {
            throw new ArgumentException("--store: file:// needs a folder path, such as file://./objectlog-data.", "--store");
        }

        var fs = new FileSystemObjectStore(path);
        return new StoreLocation(fs, log.TrimEnd('/'), $"{fs.RootDirectory} (log '{log}')");
    }
}
