using System.Globalization;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>
/// A delete that fails never fails a compaction or a trim (deleting is garbage collection), and is never silent
/// either: their stats name each object left behind, with the store's reason.
/// </summary>
public sealed class DeleteFailureTests
{
    [Fact]
    public async Task A_compaction_commits_and_names_each_superseded_object_the_store_would_not_delete()
    {
        var faulty = new FaultInjectingObjectStore(new InMemoryObjectStore());
        await using var log = new AppendLog(faulty, "events", Quiet(threshold: 1));
        string[] batches = await AppendThreeAsync(log, faulty);

        faulty.FailWhen((call, key) => call == StoreCall.Delete ? Fault.FailBefore : null);
        CompactionStats stats = await log.CompactAsync();
        Assert.NotNull(stats.NewKey);
        Assert.Equal(0, stats.DeletedObjects);
        Assert.Equal(batches, stats.DeleteFailures.Select(f => f.Key));
        Assert.All(stats.DeleteFailures, f => Assert.Equal($"Injected FailBefore on Delete '{f.Key}'.", f.Reason));
        Assert.Equal(3, (await log.ReadAllAsync()).Count); // what readers see is unchanged

        faulty.FailWhen(null);
        stats = await log.CompactAsync(); // the next one collects them
        Assert.Null(stats.NewKey);
        Assert.Equal(3, stats.DeletedObjects);
        Assert.Empty(stats.DeleteFailures);
    }

    [Fact]
    public async Task A_trim_commits_and_names_each_object_the_store_would_not_delete()
    {
        var faulty = new FaultInjectingObjectStore(new InMemoryObjectStore());
        await using var log = new AppendLog(faulty, "events", Quiet(threshold: 1));
        string[] batches = await AppendThreeAsync(log, faulty);

        faulty.FailWhen((call, key) => call == StoreCall.Delete && key == batches[1] ? Fault.FailBefore : null);
        TrimStats stats = await log.TrimAsync(DateTimeOffset.UtcNow);
        Assert.Equal(2, stats.DeletedObjects);
        DeleteFailure failure = Assert.Single(stats.DeleteFailures);
        Assert.Equal(batches[1], failure.Key);
        Assert.Contains("Injected", failure.Reason, StringComparison.Ordinal);
        Assert.Empty(await log.ReadAllAsync());
    }

    [Fact]
    public async Task A_store_that_refuses_a_whole_delete_request_has_every_key_in_it_reported()
    {
        var store = new RefusingDeletes(new InMemoryObjectStore());
        await using var log = new AppendLog(store, "events", Quiet(threshold: 1));
        for (int i = 0; i < 3; i++)
        {
            await log.AppendAsync(E(string.Create(CultureInfo.InvariantCulture, $"{{\"n\":{i}}}")));
        }

        string[] batches = (await store.ListSortedAsync("events/")).Select(m => m.Key).ToArray();
        CompactionStats stats = await log.CompactAsync();
        Assert.NotNull(stats.NewKey);
        Assert.Equal(batches, stats.DeleteFailures.Select(f => f.Key));
        Assert.All(stats.DeleteFailures, f => Assert.Equal("Deletes are not allowed here.", f.Reason));
    }

    [Fact]
    public void Stats_compare_by_what_they_say_delete_failures_included()
    {
        Assert.Equal(new CompactionStats(1, 0, null), new CompactionStats(1, 0, null) { DeleteFailures = new List<DeleteFailure>() });
        Assert.Equal(
            new CompactionStats(1, 0, null) { DeleteFailures = [new("a", "no")] },
            new CompactionStats(1, 0, null) { DeleteFailures = new List<DeleteFailure> { new("a", "no") } });
        Assert.NotEqual(new CompactionStats(1, 0, null), new CompactionStats(1, 0, null) { DeleteFailures = [new("a", "no")] });
        Assert.Equal(new TrimStats(DateTimeOffset.UnixEpoch, 2), new TrimStats(DateTimeOffset.UnixEpoch, 2) { DeleteFailures = new List<DeleteFailure>() });
        Assert.NotEqual(new TrimStats(DateTimeOffset.UnixEpoch, 2), new TrimStats(DateTimeOffset.UnixEpoch, 2) { DeleteFailures = [new("a", "no")] });
        Assert.Contains("DeleteFailures = [DeleteFailure { Key = a, Reason = no }]", new TrimStats(DateTimeOffset.UnixEpoch, 2) { DeleteFailures = [new("a", "no")] }.ToString(), StringComparison.Ordinal);
    }

    private static async Task<string[]> AppendThreeAsync(AppendLog log, IObjectStore store)
    {
        for (int i = 0; i < 3; i++)
        {
            await log.AppendAsync(E(string.Create(CultureInfo.InvariantCulture, $"{{\"n\":{i}}}")));
        }

        return (await store.ListSortedAsync("events/")).Select(m => m.Key).ToArray();
    }

    /// <summary>A store whose delete requests all fail as a whole, as one without delete rights does.</summary>
    private sealed class RefusingDeletes(IObjectStore inner) : IObjectStore
    {
        public bool SupportsCreateOnly => inner.SupportsCreateOnly;

        public Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default) => inner.PutAsync(key, content, mode, cancellationToken);

        public Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) => inner.GetAsync(key, range, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => throw new ObjectStoreException("Deletes are not allowed here.", key);

        public Task DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default) => throw new ObjectStoreException("Deletes are not allowed here.");

        public IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, startAfter, cancellationToken);
    }
}
