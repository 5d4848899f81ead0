using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>Bulk deletes: each key's failure is reported and none is taken for deleted; compaction deletes in bulk.</summary>
public sealed class BulkDeleteTests
{
    private readonly InMemoryObjectStore _memory = new();

    private async Task<string[]> PutAsync(string prefix, int count)
    {
        string[] keys = Enumerable.Range(0, count).Select(i => $"{prefix}/{i:D3}").ToArray();
        foreach (string key in keys)
        {
            await _memory.PutAsync(key, E("x"));
        }

        return keys;
    }

    private async Task<string[]> KeysAsync(string prefix) => (await _memory.ListSortedAsync(prefix)).Select(m => m.Key).ToArray();

    [Fact]
    public async Task The_default_loop_reports_exactly_the_keys_it_could_not_delete_and_deletes_the_rest()
    {
        string[] keys = await PutAsync("loop", 20);
        var refused = new HashSet<string>([keys[3], keys[11], keys[19]], StringComparer.Ordinal);
        IObjectStore store = new OneByOneStore(_memory, refused);

        var e = await Assert.ThrowsAsync<BulkDeleteException>(() => store.DeleteManyAsync([.. keys, keys[3], "loop/never-written"]));

        Assert.Equal(refused.Order(StringComparer.Ordinal), e.Failures.Keys);
        Assert.All(e.Failures, f => Assert.Equal(f.Key, f.Value.Key));
        Assert.Equal(keys.Except(refused).Append("loop/never-written").Order(StringComparer.Ordinal), e.Deleted.Order(StringComparer.Ordinal));
        Assert.Equal(refused.Order(StringComparer.Ordinal), await KeysAsync("loop/"));
        Assert.False(e.IsTransient); // one refusal is permanent
        Assert.Contains("Could not delete 3 of 21 objects", e.Message, StringComparison.Ordinal);
        Assert.Contains(keys[3], e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_loop_checks_every_key_before_deleting_any()
    {
        string[] keys = await PutAsync("check", 3);
        IObjectStore store = new OneByOneStore(_memory, new HashSet<string>());

        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteManyAsync([keys[0], keys[1], "../escape"]));

        Assert.Equal(keys, await KeysAsync("check/"));
    }

    [Fact]
    public async Task The_fault_injecting_store_fails_bulk_deletes_key_by_key_and_counts_one_request()
    {
        string[] keys = await PutAsync("faults", 10);
        var faulty = new FaultInjectingObjectStore(_memory);
        faulty.FailWhen((call, key) => call != StoreCall.Delete ? null
            : key == keys[2] ? Fault.FailBefore
            : key == keys[7] ? Fault.FailAfter
            : null);

        var e = await Assert.ThrowsAsync<BulkDeleteException>(() => faulty.DeleteManyAsync(keys));

        Assert.Equal([keys[2], keys[7]], e.Failures.Keys);
        Assert.IsType<InjectedFaultException>(e.Failures[keys[7]]);
        Assert.Equal(keys.Except([keys[2], keys[7]]), e.Deleted.Order(StringComparer.Ordinal));
        Assert.Equal([keys[2]], await KeysAsync("faults/")); // failed after: gone, but not reported deleted
        Assert.True(e.IsTransient);
        Assert.Equal((1, 1, 0), (faulty.Calls, faulty.BulkDeletes, faulty.Deletes));
    }

    [Fact]
    public void The_exception_needs_a_failure_and_copies_what_it_is_given()
    {
        Assert.Throws<ArgumentException>(() => new BulkDeleteException(new Dictionary<string, ObjectStoreException>(), ["a"]));
        var failures = new Dictionary<string, ObjectStoreException> { ["b"] = new("no", "b", isTransient: true) };
        var deleted = new List<string> { "a" };
        var e = new BulkDeleteException(failures, deleted);
        failures.Clear();
        deleted.Clear();
        Assert.Equal(["b"], e.Failures.Keys);
        Assert.Equal(["a"], e.Deleted);
        Assert.Null(e.Key);
    }

    [Fact]
    public async Task Compaction_deletes_a_thousand_batches_in_one_bulk_request_and_no_single_deletes()
    {
        var counting = new FaultInjectingObjectStore(_memory);
        string[] expected = Enumerable.Range(0, 1_000).Select(i => Json(0, i)).ToArray();
        await using (var writer = new AppendLog(_memory, "many", Quiet(threshold: 1)))
        {
            foreach (string e in expected)
            {
                await writer.AppendAsync(E(e));
            }
        }

        Assert.Equal(1_000, (await _memory.ListSortedAsync("many/")).Count);
        await using var log = new AppendLog(counting, "many", Quiet());
        await log.CompactAsync();

        Assert.Equal((1, 0), (counting.BulkDeletes, counting.Deletes));
        Assert.Equal(expected, Texts(await log.ReadAllAsync()));
        Assert.Equal(3, (await _memory.ListSortedAsync("many/")).Count); // the merged object, its manifest and its end marker
    }

    [Fact]
    public async Task A_compaction_whose_deletes_fail_in_part_changes_no_read_and_the_next_one_collects_the_rest()
    {
        string[] expected = Enumerable.Range(0, 40).Select(i => Json(0, i)).ToArray();
        await using (var writer = new AppendLog(_memory, "partial", Quiet(threshold: 1)))
        {
            foreach (string e in expected)
            {
                await writer.AppendAsync(E(e));
            }
        }

        var faulty = new FaultInjectingObjectStore(_memory);
        int deletes = 0;
        faulty.FailWhen((call, _) => call == StoreCall.Delete && Interlocked.Increment(ref deletes) % 3 == 0 ? Fault.FailBefore : null);
        await using (var log = new AppendLog(faulty, "partial", Quiet()))
        {
            await log.CompactAsync();
        }

        Assert.True((await _memory.ListSortedAsync("partial/")).Count > 3, "some originals should have survived");
        await using var reader = new AppendLog(_memory, "partial", Quiet());
        Assert.Equal(expected, Texts(await reader.ReadAllAsync()));

        await reader.CompactAsync();
        Assert.Equal(expected, Texts(await reader.ReadAllAsync()));
        Assert.Equal(3, (await _memory.ListSortedAsync("partial/")).Count);
    }

    /// <summary>A store with no bulk delete of its own (so the interface's default runs) that refuses some keys.</summary>
    private sealed class OneByOneStore(IObjectStore inner, IReadOnlySet<string> refused) : IObjectStore
    {
        public bool SupportsCreateOnly => inner.SupportsCreateOnly;

        public ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default) => inner.GetTimeAsync(cancellationToken);

        public Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default)
            => inner.PutAsync(key, content, mode, cancellationToken);

        public Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
            => inner.GetAsync(key, range, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
            => refused.Contains(key)
                ? throw new ObjectStoreException($"Refused deleting '{key}'.", key, isTransient: key.EndsWith('3'))
                : inner.DeleteAsync(key, cancellationToken);

        public IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, CancellationToken cancellationToken = default)
            => inner.ListAsync(prefix, startAfter, cancellationToken);
    }
}
