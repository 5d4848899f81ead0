using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// Looks at a log's stored objects without changing them: verifies them, lists the live ones, tells each object's
/// state, counts what a full read fetches. Each lists the log; where a listed object vanishes before it is read (a
/// compaction collected it), it lists again.
/// </summary>
/// <param name="store">The log's store.</param>
/// <param name="logPrefix">The log's key prefix, ending in <c>/</c> (empty for the store's root).</param>
/// <param name="manifests">The log's manifests, fetched at most once.</param>
/// <param name="options">The log's settings.</param>
/// <param name="clock">The store's clock, which the census judges ages by, as a compaction does.</param>
/// <param name="reads">The log's reads, for the full read a verification ends with.</param>
internal sealed class LogInspector(IObjectStore store, string logPrefix, ManifestCache manifests, AppendLogOptions options, StoreClock clock, EventReader reads)
{
    /// <summary>The log's store.</summary>
    public IObjectStore Store => store;

    /// <summary>The log's key prefix.</summary>
    public string KeyPrefix => logPrefix;

    /// <summary>See <see cref="AppendLog.VerifyAsync"/>.</summary>
    public Task<VerifyReport> VerifyAsync(CancellationToken cancellationToken) => LogVerifier.VerifyAsync(this, manifests, options, cancellationToken);

    /// <summary>The stored events after <paramref name="after"/>, as <see cref="AppendLog.ReadEventsAsync(LogPosition?, CancellationToken)"/> reads them.</summary>
    public IAsyncEnumerable<LogEvent> ReadEventsAsync(LogPosition? after, CancellationToken cancellationToken) => reads.ReadEventsAsync(after, cancellationToken);

    /// <summary>See <see cref="AppendLog.ListLiveObjectsAsync"/>.</summary>
    public async Task<IReadOnlyList<LiveObject>> ListLiveObjectsAsync(CancellationToken cancellationToken)
    {
        // A filter that keeps every batch makes the plan load every manifest, so each part's events are known.
        LogSnapshot snapshot = await LoadSnapshotAsync(includeBatch: static _ => true, cancellationToken).ConfigureAwait(false);
        return LiveObject.FromUnits(snapshot.Units);
    }

    /// <summary>Lists the log and tells each object's state (live, superseded, uncommitted, garbage, foreign), as a compaction would see it now; changes nothing.</summary>
    public async Task<LogCensus> TakeCensusAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset now = await clock.NowAsync(cancellationToken).ConfigureAwait(false); // before the listing, as a compaction reads it
        return await LogCensus.TakeAsync(store, logPrefix, manifests, options, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>See <see cref="AppendLog.CountObjectsAsync"/>.</summary>
    public async Task<int> CountObjectsAsync(CancellationToken cancellationToken)
    {
        LogSnapshot snapshot = await LoadSnapshotAsync(includeBatch: null, cancellationToken, readsEveryUnit: false).ConfigureAwait(false); // counts, reads none
        return snapshot.Sources.Count;
    }

    /// <summary>The read plan of the whole stored log, listed again if a manifest it needs vanished meanwhile.</summary>
    private Task<LogSnapshot> LoadSnapshotAsync(Func<string, bool>? includeBatch, CancellationToken cancellationToken, bool readsEveryUnit = true)
        => Relisting.RetryWhenVanishedAsync(_ => LogSnapshot.LoadAsync(store, logPrefix, manifests, [], includeBatch, options, cancellationToken, readsEveryUnit: readsEveryUnit));
}
