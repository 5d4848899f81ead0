using System.Collections.Concurrent;
using ObjectLog.Storage;

namespace ObjectLog.Cli.Ui;

/// <summary>
/// The logs <c>objlog ui</c> reads: one read-only <see cref="AppendLog"/> per log, kept while the server runs so its
/// manifest cache and store clock serve every request, and the logs found in the store for the page to offer.
/// </summary>
internal sealed class LogCatalog : IAsyncDisposable
{
    /// <summary>How many keys a search for logs looks at before it stops and offers what it found: a bound on a huge store's cost.</summary>
    internal const int MaxKeysSearched = 100_000;

    /// <summary>Keys a LIST request returns at most on S3: a listing counts a page per this many, as the request meter does.</summary>
    private const int KeysPerListPage = 1000;

    private readonly UiServerOptions _options;
    private readonly ConcurrentDictionary<string, Lazy<AppendLog>> _logs = new(StringComparer.Ordinal);
    private long _listPages;

    public LogCatalog(UiServerOptions options)
    {
        _options = options;
        Requests = new RequestTally(prefix => _logs.ContainsKey(prefix));
    }

    /// <summary>What this server's logs asked of the store so far (the request meter), and the LIST pages its searches for logs made.</summary>
    public RequestTally Requests { get; }

    /// <summary>LIST pages the searches for logs made (they go to the store directly, outside any log's meter).</summary>
    public long SearchListPages => Interlocked.Read(ref _listPages);

    /// <summary>The log named <paramref name="name"/> under the store's prefix, opened once.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a log name.</exception>
    public AppendLog Open(string name)
    {
        string prefix = _options.StorePrefix + name.Trim('/');
        try
        {
            ObjectKey.ValidatePrefix(name, "log");
            ObjectKey.ValidateLogPrefix(prefix, "log");
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"log: {UserTerms.Of(e)}", e);
        }

        // Reads only: nothing is appended, so no flush timer, and nothing compacts or trims (the defaults never do).
        return _logs.GetOrAdd(prefix + "/", p => new Lazy<AppendLog>(() => new AppendLog(_options.Store, p[..^1], new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan }))).Value;
    }

    /// <summary>
    /// The logs under the store's prefix, by name: every prefix holding an object named as a log's are. Where the store
    /// lists in key order, a log found is skipped past in one step (its keys sort together), so the search costs about
    /// a LIST a log; elsewhere (a folder) it walks the keys, at most <see cref="MaxKeysSearched"/> of them.
    /// </summary>
    public async Task<(IReadOnlyList<string> Logs, bool Complete)> FindLogsAsync(CancellationToken cancellationToken)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        string? startAfter = null;
        int searched = 0;
        bool restart = true;
        while (restart)
        {
            restart = false;
            Interlocked.Increment(ref _listPages);
            int keysThisListing = 0;
            await foreach (ObjectMeta meta in _options.Store.ListAsync(_options.StorePrefix, startAfter, cancellationToken).ConfigureAwait(false))
            {
                if (++searched > MaxKeysSearched)
                {
                    return ([.. found], false);
                }

                if (++keysThisListing % KeysPerListPage == 0)
                {
                    Interlocked.Increment(ref _listPages);
                }

                int slash = meta.Key.LastIndexOf('/');
                if (slash <= _options.StorePrefix.Length || StoredObject.KindOf(meta.Key[(slash + 1)..]) == StoredObjectKind.Foreign)
                {
                    continue;
                }

                string log = meta.Key[_options.StorePrefix.Length..slash];
                if (found.Add(log) && _options.Store.ListsInKeyOrder)
                {
                    // Every key of this log sorts before prefix + "0" ('0' follows '/'): list again from there.
                    startAfter = meta.Key[..slash] + "0";
                    restart = true;
                    break;
                }
            }
        }

        return ([.. found], true);
    }

    public async ValueTask DisposeAsync()
    {
        Requests.Dispose();
        foreach (Lazy<AppendLog> log in _logs.Values.Where(l => l.IsValueCreated))
        {
            await log.Value.DisposeAsync().ConfigureAwait(false);
        }
    }
}
