using Microsoft.Extensions.Time.Testing;
using ObjectLog.Internal;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>The read window: many GETs in flight within ReadConcurrency and ReadAheadBytes, large units as ranged parts, failures ahead surfacing in order.</summary>
public sealed class WideReadTests
{
    private readonly InMemoryObjectStore _memory = new();

    [Fact]
    public async Task A_read_of_many_small_objects_keeps_ReadConcurrency_gets_in_flight_and_never_more()
    {
        string[] expected = await WriteOneEventBatchesAsync("wide", 300);
        var slow = new FaultInjectingObjectStore(_memory) { Latency = TimeSpan.FromMilliseconds(20) };
        await using var reader = new AppendLog(slow, "wide", Quiet());
        Assert.Equal(expected, Texts(await reader.ReadAllAsync()));
        Assert.Equal(new AppendLogOptions().ReadConcurrency, slow.MaxConcurrentGets);

        var narrower = new FaultInjectingObjectStore(_memory) { Latency = TimeSpan.FromMilliseconds(5) };
        await using var streaming = new AppendLog(narrower, "wide", new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan, ReadConcurrency = 16 });
        var streamed = new List<byte[]>();
        await foreach (byte[] e in streaming.ReadAsync())
        {
            streamed.Add(e);
        }

        Assert.Equal(expected, Texts(streamed));
        Assert.Equal(16, narrower.MaxConcurrentGets);
    }

    [Fact]
    public async Task ReadConcurrency_one_reads_one_object_at_a_time_and_correctly()
    {
        string[] expected = await WriteOneEventBatchesAsync("one", 30);
        var slow = new FaultInjectingObjectStore(_memory) { Latency = TimeSpan.FromMilliseconds(2) };
        await using var reader = new AppendLog(slow, "one", new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan, ReadConcurrency = 1 });
        Assert.Equal(expected, Texts(await reader.ReadAllAsync()));
        Assert.Equal(1, slow.MaxConcurrentGets);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(1)] // smaller than any object: still one at a time
    public async Task The_bytes_fetched_ahead_stay_within_ReadAheadBytes(int objectsAhead)
    {
        string[] expected = await WriteOneEventBatchesAsync("bytes", 100); // every object 13 bytes
        long objectSize = (await _memory.ListSortedAsync("bytes/"))[0].Size;
        long limit = objectsAhead == 1 ? 1 : objectsAhead * objectSize;
        var slow = new FaultInjectingObjectStore(_memory) { Latency = TimeSpan.FromMilliseconds(5) };
        var options = new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan, ReadAheadBytes = limit };
        await using var reader = new AppendLog(slow, "bytes", options);
        Assert.Equal(expected, Texts(await reader.ReadAllAsync()));
        Assert.Equal(objectsAhead, slow.MaxConcurrentGets);

        // The window itself never holds more than the limit ahead once it holds more than one part.
        List<ReadUnit> units = (await LogSnapshot.LoadAsync(_memory, "bytes/", new ManifestCache(_memory), [], null, options, CancellationToken.None)).Units;
        await using var window = new ReadWindow(_memory, units, options, CancellationToken.None);
        for (int i = 0; i < units.Count; i++)
        {
            await window.NextAsync();
            Assert.InRange(window.BytesAhead, 0, Math.Max(limit, objectSize));
        }
    }

    [Theory]
    [InlineData(LogCompression.None)]
    [InlineData(LogCompression.Zstd)]
    [InlineData(LogCompression.Gzip)]
    public async Task Large_objects_read_as_ranged_parts_return_the_same_events_as_whole_reads(LogCompression compression)
    {
        // Events of varying length, so they straddle part boundaries; a merged object with a late batch inside its
        // range (read as ranged units by its manifest), and one big batch object after it. Compressed, a part holds
        // whole frames: one batch of the merged object a ranged GET, and the batch object whole.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var write = new AppendLogOptions { FlushThreshold = 7, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = clock, StoreTimeProvider = clock, Compression = compression };
        await using (var early = new AppendLog(_memory, "parts", write))
        {
            for (int i = 0; i < 70; i++)
            {
                await early.AppendAsync(E(Json(0, i) + new string('x', i % 23)));
                clock.Advance(TimeSpan.FromSeconds(1));
            }

            await early.CompactAsync();
        }

        var lateClock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 30, TimeSpan.Zero));
        await using (var late = new AppendLog(_memory, "parts", new AppendLogOptions { FlushThreshold = 3, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = lateClock, StoreTimeProvider = clock, Compression = compression }))
        {
            for (int i = 0; i < 3; i++)
            {
                await late.AppendAsync(E(Json(1, i)));
            }
        }

        await using (var big = new AppendLog(_memory, "parts", new AppendLogOptions { FlushThreshold = 200, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = clock, StoreTimeProvider = clock, Compression = compression }))
        {
            for (int i = 0; i < 200; i++)
            {
                await big.AppendAsync(E(Json(2, i)));
            }
        }

        await using var whole = new AppendLog(_memory, "parts", Quiet());
        string[] expected = Texts(await whole.ReadAllAsync());
        Assert.Equal(273, expected.Length);
        List<LogEvent> expectedEvents = await ReadEventsAsync(whole);

        var counting = new FaultInjectingObjectStore(_memory);
        await using var parted = new AppendLog(counting, "parts", new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan, ReadPartBytes = 64, ReadConcurrency = 5 });
        Assert.Equal(expected, Texts(await parted.ReadAllAsync()));
        Assert.True(counting.RangedGets > (compression == LogCompression.None ? 100 : 9), $"only {counting.RangedGets} ranged GETs");
        Assert.InRange(counting.MaxConcurrentGets, 1, 5);
        List<LogEvent> partedEvents = await ReadEventsAsync(parted);
        Assert.Equal(expectedEvents.Select(e => e.Position), partedEvents.Select(e => e.Position));
        Assert.Equal(Texts(expectedEvents.Select(e => e.Data)), Texts(partedEvents.Select(e => e.Data)));

        // Compaction reads through the same path and keeps the log.
        await parted.CompactAsync();
        Assert.Equal(expected, Texts(await parted.ReadAllAsync()));
        Assert.Equal(1, await parted.CountObjectsAsync());
    }

    [Theory]
    [InlineData("{\"complete\":1}\n{\"complete\":2}\n{\"complete\":3}\n{\"trunc", "truncated")]
    [InlineData("", "empty")]
    public async Task A_bad_object_read_in_parts_fails_the_read_naming_its_key(string body, string problem)
    {
        string key = "bad/batch_0001700000000000001.jsonl";
        await _memory.PutAsync(key, E(body));
        await using var log = new AppendLog(_memory, "bad", new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan, ReadPartBytes = 8 });
        var e = await Assert.ThrowsAsync<CorruptObjectException>(() => log.ReadAllAsync());
        Assert.Equal(key, e.Key);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    public async Task A_fetch_that_fails_transiently_is_tried_again_three_times(int failures, bool readSucceeds)
    {
        string[] expected = await WriteOneEventBatchesAsync("flaky", 20);
        List<ObjectMeta> objects = await _memory.ListSortedAsync("flaky/");
        var faulty = new FaultInjectingObjectStore(_memory);
        int left = failures;
        faulty.FailWhen((call, key) => call == StoreCall.Get && key == objects[7].Key && Interlocked.Decrement(ref left) >= 0 ? Fault.FailAfter : null);
        await using var log = new AppendLog(faulty, "flaky", Quiet());
        if (readSucceeds)
        {
            Assert.Equal(expected, Texts(await log.ReadAllAsync()));
        }
        else
        {
            InjectedFaultException e = await Assert.ThrowsAsync<InjectedFaultException>(() => log.ReadAllAsync());
            Assert.Equal(objects[7].Key, e.Key);
        }
    }

    [Fact]
    public async Task A_fetch_rides_out_an_object_unreadable_for_a_third_of_a_second()
    {
        // What a test server that rewrites an object in place (s3rver, on a retried PUT) looks like to a reader: for
        // a while every GET of that object breaks off. Retries at once would all land inside that while.
        string[] expected = await WriteOneEventBatchesAsync("rewritten", 20);
        List<ObjectMeta> objects = await _memory.ListSortedAsync("rewritten/");
        var faulty = new FaultInjectingObjectStore(_memory);
        long until = 0;
        int failed = 0;
        faulty.FailWhen((call, key) =>
        {
            if (call != StoreCall.Get || key != objects[5].Key)
            {
                return null;
            }

            Interlocked.CompareExchange(ref until, Environment.TickCount64 + 300, 0);
            if (Environment.TickCount64 >= Interlocked.Read(ref until))
            {
                return null;
            }

            Interlocked.Increment(ref failed);
            return Fault.FailAfter;
        });
        await using var log = new AppendLog(faulty, "rewritten", Quiet());
        Assert.Equal(expected, Texts(await log.ReadAllAsync()));
        Assert.InRange(failed, 2, ObjectFetch.Retries);
    }

    [Fact]
    public async Task A_failed_fetch_ahead_fails_the_read_after_the_events_before_it_and_leaves_nothing_unobserved()
    {
        string[] expected = await WriteOneEventBatchesAsync("fail", 100);
        List<ObjectMeta> objects = await _memory.ListSortedAsync("fail/");
        var unobserved = new List<Exception>();
        void Record(object? sender, UnobservedTaskExceptionEventArgs args) => unobserved.Add(args.Exception);
        TaskScheduler.UnobservedTaskException += Record;
        try
        {
            var faulty = new FaultInjectingObjectStore(_memory) { Latency = TimeSpan.FromMilliseconds(2) };
            faulty.FailWhen((call, key) => call == StoreCall.Get && (key == objects[10].Key || key == objects[40].Key || key == objects[41].Key) ? Fault.FailBefore : null);
            await using var log = new AppendLog(faulty, "fail", Quiet());
            var read = new List<byte[]>();
            var e = await Assert.ThrowsAsync<InjectedFaultException>(async () =>
            {
                await foreach (byte[] data in log.ReadAsync())
                {
                    read.Add(data);
                }
            });
            Assert.Equal(objects[10].Key, e.Key);
            Assert.Equal(expected[..10], Texts(read));
            Assert.Equal(new AppendLogOptions().ReadConcurrency, faulty.MaxConcurrentGets); // the other failures were in flight too

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= Record;
        }

        Assert.Empty(unobserved);
    }

    [Fact]
    public async Task An_object_vanishing_under_a_read_in_parts_resumes_after_the_last_event_returned()
    {
        await using (var writer = new AppendLog(_memory, "vanish", Plain(threshold: 20))) // plain, so parts of 64 bytes cut events
        {
            for (int i = 0; i < 200; i++)
            {
                await writer.AppendAsync(E(Json(0, i)));
            }
        }

        string[] expected;
        await using (var first = new AppendLog(_memory, "vanish", Quiet()))
        {
            expected = Texts(await first.ReadAllAsync());
        }

        for (int at = 1; at <= 60; at += 7)
        {
            // Each GET of a 64-byte part; at GET number `at`, a compaction merges everything and deletes the originals.
            var store = new CompactingStore(_memory, "vanish", at);
            await using var reader = new AppendLog(store, "vanish", new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan, ReadPartBytes = 64, ReadConcurrency = 3 });
            Assert.Equal(expected, Texts(await reader.ReadAllAsync()));
            Assert.True(store.Compacted);

            // Undo: put the log back in many objects for the next round.
            foreach (ObjectMeta meta in await _memory.ListSortedAsync("vanish/"))
            {
                await _memory.DeleteAsync(meta.Key);
            }

            await using var rewrite = new AppendLog(_memory, "vanish", Plain(threshold: 20));
            foreach (string e in expected)
            {
                await rewrite.AppendAsync(E(e));
            }
        }
    }

    private static async Task<List<LogEvent>> ReadEventsAsync(AppendLog log)
    {
        var events = new List<LogEvent>();
        await foreach (LogEvent e in log.ReadEventsAsync())
        {
            events.Add(e);
        }

        return events;
    }

    private async Task<string[]> WriteOneEventBatchesAsync(string prefix, int count)
    {
        await using var writer = new AppendLog(_memory, prefix, Quiet(threshold: 1));
        var expected = new string[count];
        for (int i = 0; i < count; i++)
        {
            expected[i] = $"event-{i:D5}";
            await writer.AppendAsync(E(expected[i]));
        }

        return expected;
    }

    /// <summary>Compacts the log (deleting what it merged) just before the GET with the given 1-based number goes through.</summary>
    private sealed class CompactingStore(IObjectStore inner, string logPrefix, int getNumber) : IObjectStore
    {
        private int _gets;

        public bool Compacted { get; private set; }

        public bool SupportsCreateOnly => inner.SupportsCreateOnly;

        public ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default) => inner.GetTimeAsync(cancellationToken);

        public Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default) => inner.PutAsync(key, content, mode, cancellationToken);

        public async Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _gets) == getNumber)
            {
                await using var compactor = new AppendLog(inner, logPrefix, Quiet());
                await compactor.CompactAsync(cancellationToken);
                Compacted = true;
            }

            return await inner.GetAsync(key, range, cancellationToken);
        }

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

        public IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, startAfter, cancellationToken);
    }
}
