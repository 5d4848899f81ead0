using System.Text;
using Microsoft.Extensions.Time.Testing;
using ObjectLog.Internal;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>Behaviour that does not depend on the store: names, failures, back-pressure, timers, bad input, bad data.</summary>
public sealed class AppendLogTests
{
    private readonly InMemoryObjectStore _memory = new();

    [Fact]
    public async Task Batch_names_stay_unique_and_ordered_under_a_frozen_clock_and_many_writers()
    {
        var frozen = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = frozen, StoreTimeProvider = frozen };
        await Parallel.ForEachAsync(Enumerable.Range(0, 8), async (w, ct) =>
        {
            await using var log = new AppendLog(_memory, "frozen", options);
            for (int i = 0; i < 25; i++)
            {
                await log.AppendAsync(E(Json(w, i)), ct);
            }
        });

        List<ObjectMeta> objects = await _memory.ListSortedAsync("frozen/");
        Assert.Equal(8 * 25, objects.Count); // a collision would have overwritten (or failed) a batch
        await using var reader = new AppendLog(_memory, "frozen", Quiet());
        AppendLogAcceptanceTests.AssertEveryWriterComplete(Texts(await reader.ReadAllAsync()), 8, 25);
    }

    [Fact]
    public async Task One_writers_names_never_go_backwards_when_its_clock_does()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var log = new AppendLog(_memory, "skew", new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = clock, StoreTimeProvider = clock });
        await log.AppendAsync(E("first"));
        clock.AdjustTime(clock.GetUtcNow() - TimeSpan.FromHours(1));
        await log.AppendAsync(E("second"));
        clock.AdjustTime(clock.GetUtcNow() + TimeSpan.FromHours(3));
        await log.AppendAsync(E("third"));
        Assert.Equal(["first", "second", "third"], Texts(await log.ReadAllAsync()));
        List<ObjectMeta> keys = await _memory.ListSortedAsync("skew/");
        Assert.Equal(3, keys.Count);
    }

    [Fact]
    public void New_batch_names_sort_with_legacy_names_by_time()
    {
        string legacyEarly = "batch_0001700000000000001.jsonl";
        string fresh = LogObjectName.Batch(1_700_000_000_000_005, 0xabcdef, 1);
        string legacyLate = "batch_0001700000000000009.jsonl";
        Assert.Equal("batch_0001700000000000005-0000000000abcdef-000000000001.jsonl", fresh);
        Assert.True(string.CompareOrdinal(legacyEarly, fresh) < 0);
        Assert.True(string.CompareOrdinal(fresh, legacyLate) < 0);
        Assert.True(LogObjectName.TryParse(legacyEarly, out var parsed) && parsed.Kind == LogObjectKind.Batch);
    }

    [Fact]
    public async Task A_failed_flush_keeps_its_events_in_order_and_retries_under_the_same_name()
    {
        var faulty = new FaultInjectingObjectStore(_memory);
        await using var log = new AppendLog(faulty, "retry", Quiet());
        await log.AppendAsync(E("a"));
        await log.AppendAsync(E("b"));
        faulty.FailWhen((call, _) => call == StoreCall.Put ? Fault.FailBefore : null);
        await Assert.ThrowsAsync<InjectedFaultException>(() => log.FlushAsync());
        await log.AppendAsync(E("c"));
        await Assert.ThrowsAsync<InjectedFaultException>(() => log.FlushAsync());
        Assert.Equal(["a", "b", "c"], Texts(await log.ReadAllAsync())); // still readable from memory

        var attempted = new List<string>();
        faulty.FailWhen((call, key) =>
        {
            if (call == StoreCall.Put)
            {
                attempted.Add(key);
            }

            return null;
        });
        await log.FlushAsync();
        Assert.Equal(2, attempted.Count); // the first batch (a, b) under its original name, then (c)
        await using var fresh = new AppendLog(_memory, "retry", Quiet());
        Assert.Equal(["a", "b", "c"], Texts(await fresh.ReadAllAsync()));
    }

    [Fact]
    public async Task A_flush_that_succeeded_but_reported_failure_does_not_duplicate_on_retry()
    {
        var faulty = new FaultInjectingObjectStore(_memory);
        await using var log = new AppendLog(faulty, "ambiguous", Quiet());
        await log.AppendAsync(E("once"));
        int puts = 0;
        faulty.FailWhen((call, _) => call == StoreCall.Put && Interlocked.Increment(ref puts) == 1 ? Fault.FailAfter : null);
        await Assert.ThrowsAsync<InjectedFaultException>(() => log.FlushAsync());
        Assert.Equal(["once"], Texts(await log.ReadAllAsync())); // stored and still pending: read once
        await log.FlushAsync();
        await using var fresh = new AppendLog(_memory, "ambiguous", Quiet());
        Assert.Equal(["once"], Texts(await fresh.ReadAllAsync()));
        Assert.Single(await _memory.ListSortedAsync("ambiguous/"));
    }

    [Fact]
    public async Task A_full_buffer_applies_back_pressure_and_refuses_clearly_when_the_store_is_down()
    {
        var faulty = new FaultInjectingObjectStore(_memory);
        var options = new AppendLogOptions { FlushThreshold = 1000, FlushInterval = Timeout.InfiniteTimeSpan, MaxBufferedBytes = 95 };
        await using var log = new AppendLog(faulty, "full", options);
        for (int i = 0; i < 9; i++)
        {
            await log.AppendAsync(E($"event-{i:D2}")); // 9 × 9 bytes = 81 buffered
        }

        faulty.FailWhen((call, _) => call == StoreCall.Put ? Fault.FailBefore : null);
        await log.AppendAsync(E("event-09")); // 90: still fits under 95
        var e = await Assert.ThrowsAsync<AppendBufferFullException>(async () => await log.AppendAsync(E("event-10")));
        Assert.Contains("full", e.Message, StringComparison.Ordinal);
        Assert.Equal(90, log.BufferedBytes);

        faulty.FailWhen(null);
        await log.AppendAsync(E("event-10")); // back-pressure: flushes, then takes the event
        Assert.Equal(9, log.BufferedBytes);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => $"event-{i:D2}"), Texts(await log.ReadAllAsync()));
    }

    [Fact]
    public async Task Dispose_flushes_what_is_buffered()
    {
        await using (var log = new AppendLog(_memory, "dispose", Quiet()))
        {
            await log.AppendAsync(E("kept"));
        }

        await using var fresh = new AppendLog(_memory, "dispose", Quiet());
        Assert.Equal(["kept"], Texts(await fresh.ReadAllAsync()));
    }

    [Fact]
    public async Task A_dispose_that_fails_keeps_the_events_for_another_try_and_refuses_new_appends()
    {
        var faulty = new FaultInjectingObjectStore(_memory);
        var log = new AppendLog(faulty, "dispose-fail", Quiet());
        await log.AppendAsync(E("precious"));
        faulty.FailWhen((_, _) => Fault.FailBefore);
        await Assert.ThrowsAsync<InjectedFaultException>(async () => await log.DisposeAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await log.AppendAsync(E("late")));
        faulty.FailWhen(null);
        await log.DisposeAsync();
        await using var fresh = new AppendLog(_memory, "dispose-fail", Quiet());
        Assert.Equal(["precious"], Texts(await fresh.ReadAllAsync()));
    }

    [Fact]
    public async Task The_byte_threshold_stores_a_batch_before_the_count_threshold()
    {
        await using var log = new AppendLog(_memory, "bytes", new AppendLogOptions { FlushThreshold = 1000, FlushThresholdBytes = 20, FlushInterval = Timeout.InfiniteTimeSpan });
        await log.AppendAsync(E("0123456789"));
        Assert.Equal(0, await log.CountObjectsAsync());
        await log.AppendAsync(E("0123456789")); // 22 bytes with newlines
        Assert.Equal(1, await log.CountObjectsAsync());
    }

    [Fact]
    public async Task The_flush_interval_stores_a_quiet_journal()
    {
        var clock = new FakeTimeProvider();
        await using var log = new AppendLog(_memory, "timer", new AppendLogOptions { FlushInterval = TimeSpan.FromSeconds(5), TimeProvider = clock, StoreTimeProvider = clock });
        await log.AppendAsync(E("quiet"));
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Empty(await _memory.ListSortedAsync("timer/"));
        clock.Advance(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 200 && (await _memory.ListSortedAsync("timer/")).Count == 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Single(await _memory.ListSortedAsync("timer/"));
    }

    [Fact]
    public async Task A_read_fetches_small_objects_ahead_a_bounded_number_at_a_time()
    {
        await using (var writer = new AppendLog(_memory, "ahead", Quiet(threshold: 1)))
        {
            for (int i = 0; i < 40; i++)
            {
                await writer.AppendAsync(E($"e{i}"));
            }
        }

        // 40 objects of a few bytes, each GET 20 ms: nothing but ReadConcurrency limits the GETs in flight, so the
        // read keeps exactly that many going (fewer would mean it does not fetch ahead, more that the bound leaks).
        var slow = new FaultInjectingObjectStore(_memory) { Latency = TimeSpan.FromMilliseconds(20) };
        AppendLogOptions options = Quiet();
        options.ReadConcurrency = 6;
        await using var reader = new AppendLog(slow, "ahead", options);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"e{i}"), Texts(await reader.ReadAllAsync()));
        Assert.Equal(6, slow.MaxConcurrentGets);
    }

    [Fact]
    public async Task A_threshold_below_one_means_one()
    {
        await using var log = new AppendLog(_memory, "one", new AppendLogOptions { FlushThreshold = 0, FlushInterval = Timeout.InfiniteTimeSpan });
        await log.AppendAsync(E("x"));
        Assert.Equal(1, await log.CountObjectsAsync());
    }

    [Fact]
    public async Task A_flush_in_flight_does_not_block_appends_into_the_next_batch()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new BlockingPutStore(_memory, gate.Task);
        await using var log = new AppendLog(slow, "inflight", Quiet(threshold: 2));
        await log.AppendAsync(E("a"));
        ValueTask filling = log.AppendAsync(E("b")); // seals a batch and waits for its PUT
        Assert.False(filling.IsCompleted);
        await log.AppendAsync(E("c")).AsTask().WaitAsync(TimeSpan.FromSeconds(5)); // goes into the next batch at once
        Assert.Equal(["a", "b", "c"], Texts(await log.ReadAllAsync()));
        gate.SetResult();
        await filling;
        Assert.Equal(1, await log.CountObjectsAsync());
    }

    [Theory]
    [InlineData("two\nevents", "newline")]
    [InlineData("", "empty")]
    public async Task Events_that_would_break_framing_are_refused_and_nothing_is_stored(string text, string word)
    {
        await using var log = new AppendLog(_memory, "bad", Quiet(threshold: 1));
        await log.AppendAsync(E("good"));
        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendAsync(E(text)));
        Assert.Contains(word, e.Message, StringComparison.Ordinal);
        Assert.Equal(["good"], Texts(await log.ReadAllAsync()));
    }

    [Fact]
    public async Task An_oversized_event_is_refused_naming_the_limit()
    {
        await using var log = new AppendLog(_memory, "big", new AppendLogOptions { MaxEventBytes = 10, FlushInterval = Timeout.InfiniteTimeSpan });
        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendAsync(E("01234567890")));
        Assert.Contains("MaxEventBytes (10)", e.Message, StringComparison.Ordinal);
        await log.AppendAsync(E("0123456789"));
        Assert.Single(await log.ReadAllAsync());
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/etc")]
    [InlineData("a\\b")]
    [InlineData("a\0b")]
    [InlineData("a/../../b")]
    public void A_prefix_that_escapes_the_root_is_refused_and_nothing_is_written_outside(string prefix)
    {
        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "root");
        var store = new FileSystemObjectStore(root);
        Assert.Throws<ArgumentException>(() => new AppendLog(store, prefix, Quiet()));
        Assert.Equal([root], Directory.GetFileSystemEntries(dir.Path));
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }

    [Fact]
    public async Task A_truncated_batch_fails_the_read_naming_its_key()
    {
        await using var log = new AppendLog(_memory, "corrupt", Quiet());
        string key = "corrupt/batch_0001700000000000001.jsonl";
        await _memory.PutAsync(key, E("{\"complete\":1}\n{\"trunc"));
        var e = await Assert.ThrowsAsync<CorruptObjectException>(() => log.ReadAllAsync());
        Assert.Equal(key, e.Key);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_batch_object_fails_the_read_naming_its_key()
    {
        await using var log = new AppendLog(_memory, "corrupt", Quiet());
        await _memory.PutAsync("corrupt/batch_0001700000000000001.jsonl", ReadOnlyMemory<byte>.Empty);
        var e = await Assert.ThrowsAsync<CorruptObjectException>(() => log.ReadAllAsync());
        Assert.Contains("batch_0001700000000000001.jsonl", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_manifest_fails_the_read_and_compaction_naming_its_key_and_harms_nothing()
    {
        await using var log = new AppendLog(_memory, "m", Quiet(threshold: 1));
        await log.AppendAsync(E("a"));
        await log.AppendAsync(E("b"));
        CompactionStats stats = await log.CompactAsync();
        string manifestKey = LogObjectName.ManifestFor(stats.NewKey!);
        await log.AppendAsync(E("c"));
        byte[] original = await _memory.GetBytesAsync(manifestKey);
        await _memory.PutAsync(manifestKey, E("{not json"));

        await using var fresh = new AppendLog(_memory, "m", Quiet());
        var e = await Assert.ThrowsAsync<CorruptObjectException>(() => fresh.CompactAsync());
        Assert.Contains(manifestKey, e.Message, StringComparison.Ordinal);
        Assert.Equal(4, (await _memory.ListSortedAsync("m/")).Count); // nothing deleted: data, manifest, end marker, batch

        await _memory.PutAsync(manifestKey, original);
        Assert.Equal(["a", "b", "c"], Texts(await fresh.ReadAllAsync()));
    }

    [Fact]
    public async Task A_batch_that_lands_inside_a_merged_range_after_compaction_reads_in_order()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var lateClock = new FakeTimeProvider(clock.GetUtcNow() + TimeSpan.FromSeconds(5));
        var options = new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = clock, StoreTimeProvider = clock };
        await using var early = new AppendLog(_memory, "late", options);
        await early.AppendAsync(E("t0"));
        clock.Advance(TimeSpan.FromSeconds(10));
        await early.AppendAsync(E("t10"));
        await early.CompactAsync();

        // A writer whose clock says t5 stores its batch after the merge covered t0..t10.
        await using var late = new AppendLog(_memory, "late", new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = lateClock, StoreTimeProvider = clock });
        await late.AppendAsync(E("t5"));

        await using var reader = new AppendLog(_memory, "late", Quiet());
        Assert.Equal(["t0", "t5", "t10"], Texts(await reader.ReadAllAsync()));
        Assert.Equal(2, await reader.CountObjectsAsync());
        CompactionStats again = await reader.CompactAsync();
        Assert.Equal(2, again.MergedObjects);
        Assert.Equal(["t0", "t5", "t10"], Texts(await reader.ReadAllAsync()));
    }

    [Fact]
    public async Task Superseded_objects_wait_out_the_grace_period_and_are_never_read_twice()
    {
        var clock = new FakeTimeProvider();
        var store = new InMemoryObjectStore(clock);
        var options = new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = clock, StoreTimeProvider = clock, SupersededGracePeriod = TimeSpan.FromMinutes(5) };
        await using var log = new AppendLog(store, "grace", options);
        await log.AppendAsync(E("a"));
        await log.AppendAsync(E("b"));
        await log.CompactAsync();
        Assert.Equal(5, (await store.ListSortedAsync("grace/")).Count); // two originals, data, manifest, end marker
        Assert.Equal(["a", "b"], Texts(await log.ReadAllAsync()));
        Assert.Equal(1, await log.CountObjectsAsync());

        clock.Advance(TimeSpan.FromMinutes(6));
        await log.CompactAsync();
        Assert.Equal(3, (await store.ListSortedAsync("grace/")).Count);
        Assert.Equal(["a", "b"], Texts(await log.ReadAllAsync()));
    }

    [Fact]
    public async Task Merged_data_without_a_manifest_is_invisible_and_collected_only_when_old()
    {
        var clock = new FakeTimeProvider();
        var store = new InMemoryObjectStore(clock);
        var faulty = new FaultInjectingObjectStore(store);
        var options = new AppendLogOptions { FlushThreshold = 1, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = clock, StoreTimeProvider = clock };
        await using var log = new AppendLog(faulty, "orphan", options);
        await log.AppendAsync(E("a"));
        await log.AppendAsync(E("b"));
        faulty.FailWhen((call, key) => call == StoreCall.Put && key.EndsWith(".manifest.json", StringComparison.Ordinal) ? Fault.FailBefore : null);
        await Assert.ThrowsAsync<InjectedFaultException>(() => log.CompactAsync());
        faulty.FailWhen(null);
        Assert.Equal(4, (await store.ListSortedAsync("orphan/")).Count);
        Assert.Equal(["a", "b"], Texts(await log.ReadAllAsync()));

        await log.CompactAsync();
        Assert.Equal(5, (await store.ListSortedAsync("orphan/")).Count); // new data, manifest, end marker, and the young orphan with its marker
        clock.Advance(TimeSpan.FromHours(2));
        await log.CompactAsync();
        Assert.Equal(3, (await store.ListSortedAsync("orphan/")).Count);
        Assert.Equal(["a", "b"], Texts(await log.ReadAllAsync()));
    }

    [Theory]
    [InlineData(true, PutMode.Create)]
    [InlineData(false, PutMode.Overwrite)]
    public async Task Batches_and_merges_are_create_only_where_the_store_enforces_it_and_plain_puts_elsewhere(bool enforced, PutMode expected)
    {
        var store = new ModeRecordingStore(_memory, enforced);
        await using var log = new AppendLog(store, "modes", Quiet(threshold: 1));
        await log.AppendAsync(E("a"));
        await log.AppendAsync(E("b"));
        await log.CompactAsync();
        Assert.Equal(5, store.Modes.Count); // two batches, merged data, end marker, manifest
        Assert.All(store.Modes, m => Assert.Equal(expected, m));
        Assert.Equal(["a", "b"], Texts(await log.ReadAllAsync()));
    }

    private sealed class ModeRecordingStore(IObjectStore inner, bool supportsCreateOnly) : IObjectStore
    {
        public List<PutMode> Modes { get; } = [];

        public bool SupportsCreateOnly => supportsCreateOnly;

        public ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default) => inner.GetTimeAsync(cancellationToken);

        public Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default)
        {
            lock (Modes)
            {
                Modes.Add(mode);
            }

            return inner.PutAsync(key, content, mode, cancellationToken);
        }

        public Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) => inner.GetAsync(key, range, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

        public IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, startAfter, cancellationToken);
    }

    private sealed class BlockingPutStore(IObjectStore inner, Task gate) : IObjectStore
    {
        public bool SupportsCreateOnly => inner.SupportsCreateOnly;

        public ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default) => inner.GetTimeAsync(cancellationToken);

        public async Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default)
        {
            await gate.WaitAsync(cancellationToken);
            await inner.PutAsync(key, content, mode, cancellationToken);
        }

        public Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) => inner.GetAsync(key, range, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

        public IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, startAfter, cancellationToken);
    }
}
