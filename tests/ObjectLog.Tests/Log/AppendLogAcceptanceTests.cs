using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>
/// What AppendLog promises, run against every store: the original design's six tests (ported by name) and the
/// invariants of docs/design.md that depend on a store's behaviour. Each test uses its own random prefix.
/// </summary>
public abstract class AppendLogAcceptanceTests
{
    protected AppendLogAcceptanceTests()
    {
        Prefix = $"logs/acc-{Guid.NewGuid():N}";
    }

    /// <summary>The store under test.</summary>
    protected abstract IObjectStore Store { get; }

    protected string Prefix { get; }

    private AppendLog Open(AppendLogOptions? options = null, IObjectStore? store = null) => new(store ?? Store, Prefix, options ?? Quiet());

    [Fact]
    public async Task append_stays_buffered_below_threshold()
    {
        await using AppendLog log = Open(Quiet(threshold: 32));
        for (int i = 0; i < 5; i++)
        {
            await log.AppendAsync(E($"{{\"i\":{i}}}"));
        }

        Assert.Equal(0, await log.CountObjectsAsync());
        Assert.Empty(await Store.ListSortedAsync(Prefix + "/"));
        Assert.Equal(5, (await log.ReadAllAsync()).Count);
    }

    [Fact]
    public async Task append_auto_flushes_on_threshold()
    {
        await using AppendLog log = Open(Quiet(threshold: 3));
        await log.AppendAsync(E("{\"a\":1}"));
        await log.AppendAsync(E("{\"a\":2}"));
        Assert.Equal(0, await log.CountObjectsAsync());
        await log.AppendAsync(E("{\"a\":3}"));
        Assert.Equal(1, await log.CountObjectsAsync());

        await using AppendLog fresh = Open();
        Assert.Equal(["{\"a\":1}", "{\"a\":2}", "{\"a\":3}"], Texts(await fresh.ReadAllAsync()));
    }

    [Fact]
    public async Task flush_empty_is_noop()
    {
        var counting = new FaultInjectingObjectStore(Store);
        await using AppendLog log = Open(store: counting);
        await log.FlushAsync();
        Assert.Equal(0, counting.Puts);
        Assert.Equal(0, await log.CountObjectsAsync());
    }

    [Fact]
    public async Task read_all_orders_events_across_flushes()
    {
        await using AppendLog log = Open();
        var expected = new List<string>();
        for (int batch = 0; batch < 6; batch++)
        {
            for (int i = 0; i < 4; i++)
            {
                string e = Json(batch, i);
                expected.Add(e);
                await log.AppendAsync(E(e));
            }

            await log.FlushAsync(); // no sleeps: names must be unique and ordered within one microsecond
        }

        await log.AppendAsync(E("unflushed"));
        expected.Add("unflushed");
        Assert.Equal(6, await log.CountObjectsAsync());
        Assert.Equal(expected, Texts(await log.ReadAllAsync()));
    }

    [Fact]
    public async Task compact_merges_multiple_files_into_one()
    {
        await using AppendLog log = Open();
        var expected = new List<string>();
        for (int batch = 0; batch < 3; batch++)
        {
            for (int i = 0; i < 5; i++)
            {
                expected.Add(Json(batch, i));
                await log.AppendAsync(E(expected[^1]));
            }

            await log.FlushAsync();
        }

        CompactionStats stats = await log.CompactAsync();
        Assert.Equal(3, stats.MergedObjects);
        Assert.Equal(15, stats.Events);
        Assert.NotNull(stats.NewKey);
        Assert.StartsWith(Prefix + "/batch_", stats.NewKey, StringComparison.Ordinal);
        Assert.Equal(1, await log.CountObjectsAsync());
        Assert.Equal(expected, Texts(await log.ReadAllAsync()));

        // The originals are gone; the merged data, its manifest and its end marker remain.
        List<ObjectMeta> stored = await Store.ListSortedAsync(Prefix + "/");
        Assert.Equal(3, stored.Count);
        Assert.Contains(stored, m => m.Key == stats.NewKey);
    }

    [Fact]
    public async Task compact_with_single_file_is_noop()
    {
        await using AppendLog log = Open();
        await log.AppendAsync(E("only"));
        await log.FlushAsync();
        CompactionStats stats = await log.CompactAsync();
        Assert.Equal(new CompactionStats(1, 0, null), stats);
        Assert.Equal(1, await log.CountObjectsAsync());
        Assert.Equal(["only"], Texts(await log.ReadAllAsync()));
    }

    [Fact]
    public async Task Compacting_twice_and_appending_between_keeps_the_log()
    {
        await using AppendLog log = Open(Quiet(threshold: 2));
        var expected = new List<string>();
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 5; i++)
            {
                expected.Add(Json(round, i));
                await log.AppendAsync(E(expected[^1]));
            }

            await log.FlushAsync();
            await log.CompactAsync();
            Assert.Equal(1, await log.CountObjectsAsync());
            Assert.Equal(expected, Texts(await log.ReadAllAsync()));
        }

        await using AppendLog fresh = Open();
        Assert.Equal(expected, Texts(await fresh.ReadAllAsync()));
    }

    [Fact]
    public async Task Legacy_batches_read_in_key_order_mixed_with_new_ones_and_survive_compaction()
    {
        // Written out of order on purpose: the store lists in any order and the log must sort.
        await Store.PutAsync($"{Prefix}/batch_0001700000000000002.jsonl", E("{\"legacy\":3}\n{\"legacy\":4}\n"));
        await Store.PutAsync($"{Prefix}/batch_0001700000000000001.jsonl", E("{\"legacy\":1}\n{\"legacy\":2}\n"));

        await using (AppendLog log = Open())
        {
            await log.AppendAsync(E("{\"new\":5}"));
            await log.FlushAsync();
            Assert.Equal(["{\"legacy\":1}", "{\"legacy\":2}", "{\"legacy\":3}", "{\"legacy\":4}", "{\"new\":5}"], Texts(await log.ReadAllAsync()));

            CompactionStats stats = await log.CompactAsync();
            Assert.Equal(3, stats.MergedObjects);
            Assert.Equal(5, stats.Events);
        }

        await using AppendLog fresh = Open();
        Assert.Equal(["{\"legacy\":1}", "{\"legacy\":2}", "{\"legacy\":3}", "{\"legacy\":4}", "{\"new\":5}"], Texts(await fresh.ReadAllAsync()));
        Assert.Equal(1, await fresh.CountObjectsAsync());
    }

    [Fact]
    public async Task A_byte_flipped_in_a_stored_object_is_caught_by_every_read_and_by_verify()
    {
        // A letter inside an event changes: still valid JSON Lines, so only the checksum can tell. (Plain JSON Lines,
        // so the letter can be found; compressed objects are damaged in the test after this one.)
        AppendLogOptions plain = Quiet(threshold: 4);
        plain.Compression = LogCompression.None;
        await using (AppendLog writer = Open(plain))
        {
            for (int i = 0; i < 16; i++)
            {
                await writer.AppendAsync(E(Json(0, i)));
            }
        }

        List<ObjectMeta> batches = await Store.ListSortedAsync(Prefix + "/");
        Assert.Equal(4, batches.Count);
        Assert.All(batches, b => Assert.Matches(@"/batch_\d{19}-[0-9a-f]{16}-\d{12}\.c[0-9a-f]{8}\.jsonl$", b.Key));
        string flipped = batches[2].Key;
        await FlipAsync(flipped, "event");

        await using (AppendLog log = Open(plain))
        {
            CorruptObjectException e = await Assert.ThrowsAsync<CorruptObjectException>(() => log.ReadAllAsync());
            Assert.Equal(flipped, e.Key);
            Assert.Contains("CRC-32C", e.Message, StringComparison.Ordinal);

            // A streamed read hands out every event before the damaged batch, and none of it.
            var streamed = new List<string>();
            await Assert.ThrowsAsync<CorruptObjectException>(async () =>
            {
                await foreach (byte[] data in log.ReadAsync())
                {
                    streamed.Add(System.Text.Encoding.UTF8.GetString(data));
                }
            });
            Assert.Equal(Enumerable.Range(0, 8).Select(i => Json(0, i)), streamed);

            VerifyReport report = await log.VerifyAsync();
            Assert.False(report.IsSound);
            Assert.Contains(report.Problems, p => p.Key == flipped);

            // A compaction refuses to merge it: the damage is not copied under a fresh checksum.
            await Assert.ThrowsAsync<CorruptObjectException>(() => log.CompactAsync());
        }

        // Repaired (the batch written back as it was), compacted, then damaged inside the merged object.
        await Store.PutAsync(flipped, E(string.Concat(Enumerable.Range(8, 4).Select(i => Json(0, i) + "\n"))));
        await using (AppendLog log = Open(plain))
        {
            Assert.Equal(16, (await log.ReadAllAsync()).Count);
            CompactionStats stats = await log.CompactAsync();
            Assert.Equal(4, stats.MergedObjects);
            Assert.Matches(@"~[0-9a-f]{16}\.c[0-9a-f]{8}\.jsonl$", stats.NewKey);
            List<LogEvent> before = await ToListAsync(log.ReadEventsAsync());
            await FlipAsync(stats.NewKey!, "event 13");

            CorruptObjectException whole = await Assert.ThrowsAsync<CorruptObjectException>(() => log.ReadAllAsync());
            Assert.Equal(stats.NewKey, whole.Key);

            // A read from a position splits the merged object by its manifest and checks each batch on its own: the
            // batches before the damaged one still read, the damaged one does not.
            var all = new List<LogEvent>();
            var after = await Assert.ThrowsAsync<CorruptObjectException>(async () =>
            {
                await foreach (LogEvent e in log.ReadEventsAsync(before[1].Position))
                {
                    all.Add(e);
                }
            });
            Assert.Equal(stats.NewKey, after.Key);
            Assert.Equal(Enumerable.Range(2, 10).Select(i => Json(0, i)), Texts(all.Select(e => e.Data)));
            Assert.Contains((await log.VerifyAsync()).Problems, p => p.Key == stats.NewKey);
        }
    }

    [Theory]
    [InlineData(LogCompression.Zstd)]
    [InlineData(LogCompression.Gzip)]
    public async Task Damage_to_a_compressed_object_fails_the_read_naming_its_key_after_the_events_before_it_and_deletes_nothing(LogCompression compression)
    {
        // Four batch objects of four events; the third holds 4 KiB events, so it alone decodes past a 4 KiB bound.
        AppendLogOptions options = Quiet(threshold: 4);
        options.Compression = compression;
        await using (AppendLog writer = Open(options))
        {
            for (int i = 0; i < 16; i++)
            {
                await writer.AppendAsync(E(i / 4 == 2 ? $"{{\"i\":{i},\"pad\":\"{new string('x', 4096)}\"}}" : Json(0, i)));
            }
        }

        string extension = compression == LogCompression.Zstd ? ".jsonl.zst" : ".jsonl.gz";
        List<ObjectMeta> stored = await Store.ListSortedAsync(Prefix + "/");
        Assert.Equal(4, stored.Count);
        Assert.All(stored, b => Assert.EndsWith(extension, b.Key, StringComparison.Ordinal));
        string third = stored[2].Key;
        byte[] good = await Store.GetBytesAsync(third);
        string[] before = Enumerable.Range(0, 8).Select(i => Json(0, i)).ToArray();

        async Task<CorruptObjectException> FailsAfterTheFirstEightAsync(string key, AppendLogOptions? reading = null)
        {
            List<ObjectMeta> listed = await Store.ListSortedAsync(Prefix + "/");
            await using AppendLog log = Open(reading);
            var streamed = new List<string>();
            CorruptObjectException e = await Assert.ThrowsAsync<CorruptObjectException>(async () =>
            {
                await foreach (byte[] data in log.ReadAsync())
                {
                    streamed.Add(System.Text.Encoding.UTF8.GetString(data));
                }
            });
            Assert.Equal(key, e.Key);
            Assert.Equal(before, streamed);
            Assert.Contains((await log.VerifyAsync()).Problems, p => p.Key == key);
            await Assert.ThrowsAsync<CorruptObjectException>(() => log.CompactAsync());
            Assert.Equal(listed.Select(m => (m.Key, m.Size)), (await Store.ListSortedAsync(Prefix + "/")).Select(m => (m.Key, m.Size)));
            return e;
        }

        // A flipped byte in the compressed bytes: its checksum, over the stored bytes, catches it before decoding.
        byte[] flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 0x01;
        await Store.PutAsync(third, flipped);
        Assert.Contains("CRC-32C", (await FailsAfterTheFirstEightAsync(third)).Message, StringComparison.Ordinal);

        // A truncated frame: under the same name, its checksum catches it; under a name that carries the checksum of
        // the truncated bytes, decoding does.
        await Store.PutAsync(third, good[..^4]);
        await FailsAfterTheFirstEightAsync(third);
        await Store.DeleteAsync(third);
        string truncated = Renamed(third, good[..^4]);
        await Store.PutAsync(truncated, good[..^4]);
        Assert.Contains("truncated", (await FailsAfterTheFirstEightAsync(truncated)).Message, StringComparison.Ordinal);
        await Store.DeleteAsync(truncated);

        // A frame that decodes past the reader's bound.
        await Store.PutAsync(third, good);
        AppendLogOptions bounded = Quiet();
        bounded.MaxDecodedFrameBytes = 4096;
        bounded.Compression = LogCompression.None; // a reader decodes by name whatever its own setting; this one could not write with such a bound
        Assert.Contains("more than 4096 bytes", (await FailsAfterTheFirstEightAsync(third, bounded)).Message, StringComparison.Ordinal);

        // The other encoding's bytes under this name (checksum and all): decoded by the name, never by guessing.
        LogCompression other = compression == LogCompression.Zstd ? LogCompression.Gzip : LogCompression.Zstd;
        byte[] foreignFrame = Internal.FrameCodec.Encode(System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(8, 4).Select(i => Json(0, i) + "\n"))), other);
        string misnamed = Renamed(third, foreignFrame);
        await Store.DeleteAsync(third);
        await Store.PutAsync(misnamed, foreignFrame);
        await FailsAfterTheFirstEightAsync(misnamed);

        // Put back as it was, the log reads whole again.
        await Store.DeleteAsync(misnamed);
        await Store.PutAsync(third, good);
        await using AppendLog repaired = Open();
        Assert.Equal(16, (await repaired.ReadAllAsync()).Count);

        // The batch object's key with the checksum of other bytes, and the same encoding.
        string Renamed(string key, byte[] bytes)
        {
            Assert.True(Internal.LogObjectName.TryParse(key[(Prefix.Length + 1)..], out Internal.LogObjectName name));
            return $"{Prefix}/{Internal.LogObjectName.WithCrc(name.First, Internal.Crc32C.Compute(bytes), name.Encoding)}";
        }
    }

    [Fact]
    public async Task Objects_without_checksums_still_read_verify_reports_them_and_a_compaction_checksums_them()
    {
        // As written before checksums: batch keys without one, and a format 2 manifest without per-batch CRCs.
        await Store.PutAsync($"{Prefix}/batch_0001700000000000001-00000000000000aa-000000000001.jsonl", E("{\"old\":1}\n{\"old\":2}\n"));
        await Store.PutAsync($"{Prefix}/batch_0001700000000000002-00000000000000aa-000000000002.jsonl", E("{\"old\":3}\n"));
        const string merged = "batch_0001600000000000001-00000000000000aa-000000000001~0001600000000000002-00000000000000aa-000000000002~00000000000000bb.jsonl";
        await Store.PutAsync($"{Prefix}/{merged}", E("{\"older\":1}\n{\"older\":2}\n"));
        await Store.PutAsync($"{Prefix}/batch_0001600000000000002-00000000000000aa-000000000002~0001600000000000001-00000000000000aa-000000000001~00000000000000bb.end.json", E("{}"));
        await Store.PutAsync($"{Prefix}/{merged[..^".jsonl".Length]}.manifest.json", E(
            "{\"format\":\"objectlog.manifest/2\",\"data\":\"" + merged + "\",\"batches\":[[\"0001600000000000001-00000000000000aa-000000000001\",1,12],"
            + "[\"0001600000000000002-00000000000000aa-000000000002\",1,12]],\"supersedes\":{\"batches\":[],\"objects\":[]}}"));
        string[] expected = ["{\"older\":1}", "{\"older\":2}", "{\"old\":1}", "{\"old\":2}", "{\"old\":3}", "{\"new\":4}"];

        await using AppendLog log = Open();
        await log.AppendAsync(E("{\"new\":4}"));
        await log.FlushAsync();
        Assert.Equal(expected, Texts(await log.ReadAllAsync()));
        var fromPosition = new List<LogEvent>();
        await foreach (LogEvent e in log.ReadEventsAsync(LogPosition.Before(DateTimeOffset.FromUnixTimeMilliseconds(1_600_000_000_000))))
        {
            fromPosition.Add(e);
        }

        Assert.Equal(expected, Texts(fromPosition.Select(e => e.Data)));

        VerifyReport before = await log.VerifyAsync();
        Assert.True(before.IsSound, string.Join("; ", before.Problems));
        Assert.Equal(
            [$"{Prefix}/{merged}", $"{Prefix}/batch_0001700000000000001-00000000000000aa-000000000001.jsonl", $"{Prefix}/batch_0001700000000000002-00000000000000aa-000000000002.jsonl"],
            before.UnverifiedObjects.Order(StringComparer.Ordinal));

        await log.CompactAsync();
        VerifyReport after = await log.VerifyAsync();
        Assert.True(after.IsSound, string.Join("; ", after.Problems));
        Assert.Empty(after.UnverifiedObjects);
        Assert.Equal(expected, Texts(await log.ReadAllAsync()));
    }

    /// <summary>Overwrites a stored object with its own bytes, the first <paramref name="near"/> in it changed by one letter.</summary>
    protected async Task FlipAsync(string key, string near)
    {
        byte[] bytes = await Store.GetBytesAsync(key);
        int at = System.Text.Encoding.UTF8.GetString(bytes).IndexOf(near, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{near}' is not in {key}");
        bytes[at] ^= 0x20; // 'e' becomes 'E'
        await Store.PutAsync(key, bytes);
    }

    [Fact]
    public async Task Objects_that_are_not_the_logs_are_ignored_and_never_touched()
    {
        string[] foreign = [$"{Prefix}/README.md", $"{Prefix}/batch_notanumber.jsonl", $"{Prefix}/sub/batch_0001700000000000001.jsonl", $"{Prefix}/batch_0001700000000000001.json"];
        foreach (string key in foreign)
        {
            await Store.PutAsync(key, E("not an event log\n"));
        }

        await using AppendLog log = Open(Quiet(threshold: 1));
        await log.AppendAsync(E("a"));
        await log.AppendAsync(E("b"));
        Assert.Equal(["a", "b"], Texts(await log.ReadAllAsync()));
        await log.CompactAsync();
        Assert.Equal(["a", "b"], Texts(await log.ReadAllAsync()));
        foreach (string key in foreign)
        {
            Assert.Equal(E("not an event log\n"), await Store.GetBytesAsync(key));
        }
    }

    [Fact]
    public async Task Several_writers_on_one_prefix_each_keep_their_order_and_lose_nothing()
    {
        const int writers = 4;
        const int perWriter = 60;
        await Parallel.ForEachAsync(Enumerable.Range(0, writers), new ParallelOptions { MaxDegreeOfParallelism = writers }, async (w, ct) =>
        {
            await using AppendLog log = Open(Quiet(threshold: 7));
            for (int i = 0; i < perWriter; i++)
            {
                await log.AppendAsync(E(Json(w, i)), ct);
            }
        });

        await using AppendLog reader = Open();
        AssertEveryWriterComplete(Texts(await reader.ReadAllAsync()), writers, perWriter);
    }

    [Fact]
    public async Task Compaction_racing_writers_and_readers_changes_nothing_they_see()
    {
        const int writers = 3;
        const int perWriter = 50;
        using var done = new CancellationTokenSource();
        Task compactions = Task.Run(async () =>
        {
            await using AppendLog compactor = Open();
            while (!done.IsCancellationRequested)
            {
                await compactor.CompactAsync();
                string[] seen = Texts(await compactor.ReadAllAsync());
                Assert.Equal(seen.Length, seen.Distinct().Count());
            }
        });

        await Parallel.ForEachAsync(Enumerable.Range(0, writers), async (w, ct) =>
        {
            await using AppendLog log = Open(Quiet(threshold: 3));
            for (int i = 0; i < perWriter; i++)
            {
                await log.AppendAsync(E(Json(w, i)), ct);
            }
        });
        await done.CancelAsync();
        await compactions;

        await using AppendLog reader = Open();
        await reader.CompactAsync();
        AssertEveryWriterComplete(Texts(await reader.ReadAllAsync()), writers, perWriter);
        Assert.Equal(1, await reader.CountObjectsAsync());
    }

    [Fact]
    public async Task Compaction_that_fails_at_any_store_call_changes_nothing_a_reader_sees()
    {
        // Build a log with several batch objects and one merged object, then fail each call of a compaction in turn.
        var faulty = new FaultInjectingObjectStore(Store);
        var expected = new List<string>();
        await using (AppendLog setup = Open(Quiet(threshold: 2), faulty))
        {
            for (int i = 0; i < 6; i++)
            {
                expected.Add(Json(0, i));
                await setup.AppendAsync(E(expected[^1]));
            }

            await setup.CompactAsync();
            for (int i = 6; i < 12; i++)
            {
                expected.Add(Json(0, i));
                await setup.AppendAsync(E(expected[^1]));
            }
        }

        int callsInOneCompaction;
        {
            var probe = new FaultInjectingObjectStore(await CopyAsync(Store, Prefix));
            await using AppendLog dry = new(probe, Prefix, Quiet());
            await dry.CompactAsync();
            callsInOneCompaction = probe.Calls;
        }

        for (int n = 1; n <= callsInOneCompaction; n++)
        {
            foreach (Fault fault in new[] { Fault.FailBefore, Fault.FailAfter })
            {
                await using AppendLog log = Open(Quiet(), faulty);
                faulty.FailNthCall(n, fault);
                try
                {
                    await log.CompactAsync();
                }
                catch (InjectedFaultException)
                {
                    // a crash: abandon this instance
                }

                faulty.FailWhen(null);
                await using AppendLog reader = Open();
                Assert.Equal(expected, Texts(await reader.ReadAllAsync()));
            }
        }

        await using AppendLog last = Open();
        await last.CompactAsync();
        Assert.Equal(expected, Texts(await last.ReadAllAsync()));
        Assert.Equal(1, await last.CountObjectsAsync());
    }

    [Fact]
    public async Task A_failed_put_in_the_middle_of_a_pipeline_loses_and_reorders_nothing()
    {
        var faulty = new FaultInjectingObjectStore(Store);
        await using AppendLog log = Open(new AppendLogOptions { FlushThreshold = 2, MaxConcurrentPuts = 8, FlushInterval = Timeout.InfiniteTimeSpan }, faulty);
        faulty.HoldPuts();
        string[] appended = Enumerable.Range(0, 20).Select(i => Json(0, i)).ToArray();
        foreach (string e in appended)
        {
            Assert.True(log.TryAppend(E(e))); // ten batches: eight in flight, two queued
        }

        await PipelinedWriteTests.WaitUntil(() => faulty.PutsInFlight == 8);
        int puts = 0;
        string? lost = null;
        faulty.FailWhen((call, key) =>
        {
            if (call != StoreCall.Put)
            {
                return null;
            }

            if (key == Volatile.Read(ref lost))
            {
                return Fault.FailBefore; // its retries must not land by taking the ambiguous failure below
            }

            switch (Interlocked.Increment(ref puts))
            {
                case 3:
                    Volatile.Write(ref lost, key); // fails on every retry: a hole while later batches land
                    return Fault.FailBefore;
                case 5:
                    return Fault.FailAfter; // landed, but reported failure
                default:
                    return null;
            }
        });
        Task flush = log.FlushAsync();
        faulty.ReleasePuts();
        await Assert.ThrowsAsync<InjectedFaultException>(() => flush);

        await using (AppendLog outside = Open())
        {
            string[] stored = Texts(await outside.ReadAllAsync());
            AssertInOrderOnce(appended, stored); // a hole where the failed batch belongs, nothing out of order
            Assert.True(stored.Length < appended.Length, "the failed batch cannot be stored yet");
        }

        Assert.Equal(appended, Texts(await log.ReadAllAsync())); // the writer still has it
        faulty.FailWhen(null);
        await log.FlushAsync();
        await using AppendLog fresh = Open();
        Assert.Equal(appended, Texts(await fresh.ReadAllAsync()));
        Assert.Equal(9, (await Store.ListSortedAsync(Prefix + "/")).Count); // the two queued batches went as one
        var positions = new List<LogPosition>();
        await foreach (LogEvent e in fresh.ReadEventsAsync())
        {
            positions.Add(e.Position);
        }

        Assert.True(positions.Zip(positions.Skip(1)).All(p => p.First < p.Second), "positions must increase");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Joined_batches_never_duplicate_after_an_ambiguous_failure(bool createOnly)
    {
        var faulty = new FaultInjectingObjectStore(Store) { CreateOnly = createOnly && Store.SupportsCreateOnly };
        await using AppendLog log = Open(new AppendLogOptions { FlushThreshold = 1, MaxConcurrentPuts = 1, FlushInterval = Timeout.InfiniteTimeSpan }, faulty);
        faulty.HoldPuts();
        string[] appended = Enumerable.Range(0, 30).Select(i => Json(0, i)).ToArray();
        Assert.True(log.TryAppend(E(appended[0])));
        await PipelinedWriteTests.WaitUntil(() => faulty.PutsInFlight == 1);
        foreach (string e in appended[1..])
        {
            Assert.True(log.TryAppend(E(e))); // queued behind the busy slot: joined into one PUT
        }

        int puts = 0;
        faulty.FailWhen((call, _) => call == StoreCall.Put && Interlocked.Increment(ref puts) == 2 ? Fault.FailAfter : null);
        Task flush = log.FlushAsync();
        faulty.ReleasePuts();
        await Assert.ThrowsAsync<InjectedFaultException>(() => flush);
        Assert.Equal(appended, Texts(await log.ReadAllAsync())); // stored and still pending: each read once

        faulty.FailWhen(null);
        await log.FlushAsync(); // the same bytes under the same name
        await using AppendLog fresh = Open();
        Assert.Equal(appended, Texts(await fresh.ReadAllAsync()));
        Assert.Equal(2, (await Store.ListSortedAsync(Prefix + "/")).Count);
        Assert.Equal(3, faulty.Puts);
    }

    [Fact]
    public async Task A_flush_that_crashes_at_any_store_call_keeps_every_acknowledged_event_and_duplicates_none()
    {
        const int batches = 4;
        for (int n = 1; n < batches; n++)
        {
            foreach (Fault fault in new[] { Fault.FailBefore, Fault.FailAfter })
            {
                string prefix = $"{Prefix}/flush-{n}-{fault}";
                var faulty = new FaultInjectingObjectStore(Store);
                var acknowledged = new List<string>();
                var appended = new List<string>();
                var log = new AppendLog(faulty, prefix, Quiet(threshold: 3));
                for (int b = 0; b < batches; b++)
                {
                    if (b == 1)
                    {
                        acknowledged.AddRange(appended); // the first batch was stored by the append that filled it
                        faulty.FailWhen((call, _) => call == StoreCall.Put ? Fault.FailBefore : null); // the rest stay pending, one batch each
                    }

                    for (int i = 0; i < 3; i++)
                    {
                        appended.Add(Json(b, i));
                        try
                        {
                            await log.AppendAsync(E(appended[^1]));
                        }
                        catch (InjectedFaultException)
                        {
                        }
                    }
                }

                // The n-th store call of the flush fails, then the writer "crashes" (is abandoned).
                faulty.FailWhen(null);
                faulty.FailNthCall(n, fault);
                try
                {
                    await log.FlushAsync();
                }
                catch (InjectedFaultException)
                {
                }

                faulty.FailWhen(null);
                await using var reader = new AppendLog(Store, prefix, Quiet());
                string[] read = Texts(await reader.ReadAllAsync());
                // Batches are stored concurrently, so a later one may have landed while an earlier one failed: what
                // is stored is a subsequence of what was appended (in order, each once) holding every acknowledged event.
                AssertInOrderOnce(appended, read);
                Assert.Empty(acknowledged.Except(read));
            }
        }
    }

    [Fact]
    public async Task Time_range_reads_return_the_batches_in_range_across_merged_objects_that_straddle_the_bounds()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
        var options = new AppendLogOptions { FlushThreshold = 2, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = clock, StoreTimeProvider = clock };
        await using (AppendLog writer = Open(options))
        {
            for (int i = 0; i < 40; i++)
            {
                await writer.AppendAsync(E(Json(0, i)));
                clock.Advance(TimeSpan.FromSeconds(30)); // a batch a minute
            }

            await writer.CompactAsync(CompactionPolicy.SizeTiered(fanIn: 4, minObjectBytes: 1)); // merged runs of four batches
            await writer.CompactAsync(CompactionPolicy.SizeTiered(fanIn: 3, minObjectBytes: 1));
        }

        await using AppendLog log = Open();
        var all = new List<LogEvent>();
        await foreach (LogEvent e in log.ReadEventsAsync())
        {
            all.Add(e);
        }

        Assert.Equal(40, all.Count);
        DateTimeOffset t0 = all[0].Position.BatchTime;
        foreach ((int fromMinute, int? untilMinute) in new (int, int?)[] { (0, null), (3, 7), (5, 6), (13, 19), (19, null), (7, 7), (-5, 2), (25, 40) })
        {
            DateTimeOffset from = t0.AddMinutes(fromMinute);
            DateTimeOffset? until = untilMinute is { } u ? t0.AddMinutes(u) : null;
            var read = new List<LogEvent>();
            await foreach (LogEvent e in log.ReadEventsAsync(from, until))
            {
                read.Add(e);
            }

            IEnumerable<LogEvent> expected = all.Where(e => e.Position.BatchTime >= from && (until is null || e.Position.BatchTime < until));
            Assert.Equal(expected.Select(e => e.Position), read.Select(e => e.Position));
            Assert.Equal(Texts(expected.Select(e => e.Data)), Texts(read.Select(e => e.Data)));
        }

        // A time turned into a position: reading after it starts at that time.
        LogPosition start = LogPosition.Before(t0.AddMinutes(10));
        var after = new List<LogEvent>();
        await foreach (LogEvent e in log.ReadEventsAsync(start))
        {
            after.Add(e);
        }

        Assert.Equal(all.Skip(20).Select(e => e.Position), after.Select(e => e.Position));
        Assert.Throws<ArgumentException>(() => log.ReadEventsAsync(t0, t0.AddTicks(-1)));
    }

    [Fact]
    public async Task A_trim_that_crashes_at_any_store_call_leaves_the_whole_log_or_the_trimmed_log()
    {
        // Batches a minute apart; a merged object straddles the cutoff, others lie wholly before or after it.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new AppendLogOptions { FlushThreshold = 2, FlushInterval = Timeout.InfiniteTimeSpan, TimeProvider = clock, StoreTimeProvider = clock };
        string source = Prefix + "/source";
        await using (var setup = new AppendLog(Store, source, options))
        {
            for (int i = 0; i < 24; i++)
            {
                await setup.AppendAsync(E(Json(0, i)));
                clock.Advance(TimeSpan.FromSeconds(30));
            }

            await setup.CompactAsync(CompactionPolicy.SizeTiered(fanIn: 4, minObjectBytes: 1));
        }

        List<ObjectMeta> objects = await Store.ListSortedAsync(source + "/");
        DateTimeOffset cutoff = clock.GetUtcNow().AddMinutes(-7.5); // inside the last merged run of four
        string[] whole = Enumerable.Range(0, 24).Select(i => Json(0, i)).ToArray();
        string[] trimmed = whole[10..];

        int callsInOneTrim;
        {
            var probe = new FaultInjectingObjectStore(await CopyAsync(Store, source));
            await using var dry = new AppendLog(probe, source, options);
            await dry.TrimAsync(cutoff);
            callsInOneTrim = probe.Calls;
            await using var check = new AppendLog(probe.Inner, source, options);
            Assert.Equal(trimmed, Texts(await check.ReadAllAsync()));
        }

        // A copy of the log for each crash, all stored first: a trim hides what was stored before its record, and
        // servers that stamp objects to the second count one stored in the same second as the record as after it.
        for (int n = 1; n <= callsInOneTrim; n++)
        {
            foreach (Fault fault in new[] { Fault.FailBefore, Fault.FailAfter })
            {
                foreach (ObjectMeta meta in objects)
                {
                    await Store.PutAsync($"{Prefix}/crash-{n}-{fault}" + meta.Key[source.Length..], await Store.GetBytesAsync(meta.Key));
                }
            }
        }

        await NextStoreSecondAsync();
        for (int n = 1; n <= callsInOneTrim; n++)
        {
            foreach (Fault fault in new[] { Fault.FailBefore, Fault.FailAfter })
            {
                string prefix = $"{Prefix}/crash-{n}-{fault}";
                var faulty = new FaultInjectingObjectStore(Store);
                await using (var log = new AppendLog(faulty, prefix, options))
                {
                    faulty.FailNthCall(n, fault);
                    try
                    {
                        await log.TrimAsync(cutoff);
                    }
                    catch (InjectedFaultException)
                    {
                        // a crash: abandon this instance
                    }

                    faulty.FailWhen(null);
                }

                await using var reader = new AppendLog(Store, prefix, options);
                string[] read = Texts(await reader.ReadAllAsync());
                Assert.True(read.SequenceEqual(whole) || read.SequenceEqual(trimmed), $"call {n} {fault}: read {read.Length} events, neither the whole log nor the trimmed one");
                var fromMiddle = new List<string>();
                await foreach (LogEvent e in reader.ReadEventsAsync(cutoff.AddMinutes(-3)))
                {
                    fromMiddle.Add(Texts([e.Data])[0]);
                }

                Assert.Equal(read.Where(e => Array.IndexOf(whole, e) >= 4).Take(fromMiddle.Count), fromMiddle);

                // Finishing the job: trim again, compact; the trimmed log, and no trimmed byte carried forward.
                await reader.TrimAsync(cutoff);
                await reader.CompactAsync();
                Assert.Equal(trimmed, Texts(await reader.ReadAllAsync()));
                Assert.Equal(1, await reader.CountObjectsAsync());
                foreach (ObjectMeta meta in await Store.ListSortedAsync(prefix + "/"))
                {
                    if (meta.Key.EndsWith(".jsonl", StringComparison.Ordinal))
                    {
                        Assert.False(System.Text.Encoding.UTF8.GetString(await Store.GetBytesAsync(meta.Key)).Contains(Json(0, 9), StringComparison.Ordinal), $"call {n} {fault}: {meta.Key} of {string.Join(", ", (await Store.ListSortedAsync(prefix + "/")).Select(m => m.Key[prefix.Length..]))}");
                    }
                }
            }
        }
    }

    [Fact]
    public async Task Trims_racing_writers_compactions_and_other_trims_never_leave_a_hole_resurrect_or_remove_a_batch_at_or_after_a_cutoff()
    {
        const int writers = 3;
        var appended = new List<(string Text, DateTimeOffset Started, DateTimeOffset Done)>[writers];
        var cutoffs = new System.Collections.Concurrent.ConcurrentBag<DateTimeOffset>();
        using var done = new CancellationTokenSource();
        var problems = new System.Collections.Concurrent.ConcurrentBag<string>();
        int[] acknowledged = new int[writers]; // per writer, events stored (their appends returned)

        // A listing is no snapshot: batches stored while a read lists may be seen or not, in any combination. So the
        // check is on what was stored before the read began: from the first of those it returns (trims remove a
        // prefix), every later one, through the last, with no hole.
        async Task CheckNoHoleAsync(AppendLog reader)
        {
            int[] before = new int[writers];
            for (int w = 0; w < writers; w++)
            {
                before[w] = Volatile.Read(ref acknowledged[w]);
            }

            string[] read = Texts(await reader.ReadAllAsync());
            for (int w = 0; w < writers; w++)
            {
                string marker = $"{{\"writer\":{w},";
                int[] seqs = read.Where(e => e.StartsWith(marker, StringComparison.Ordinal))
                    .Select(e => int.Parse(e.Split(',')[1].Split(':')[1], System.Globalization.CultureInfo.InvariantCulture))
                    .Where(seq => seq < before[w])
                    .ToArray();
                if (seqs.Length > 0 && !seqs.SequenceEqual(Enumerable.Range(seqs[0], before[w] - seqs[0])))
                {
                    problems.Add($"writer {w}: stored before the read 0..{before[w] - 1}, read {string.Join(',', seqs)}");
                }
            }
        }

        Task background = Task.WhenAll(
            Task.Run(async () =>
            {
                await using AppendLog compactor = Open();
                while (!done.IsCancellationRequested)
                {
                    await compactor.CompactAsync(CompactionPolicy.SizeTiered(fanIn: 3, minObjectBytes: 1));
                    await CheckNoHoleAsync(compactor);
                }
            }),
            Task.Run(async () =>
            {
                await using AppendLog trimmer = Open();
                while (!done.IsCancellationRequested)
                {
                    await Task.Delay(20);
                    DateTimeOffset cutoff = DateTimeOffset.UtcNow.AddMilliseconds(-150 - Random.Shared.Next(100)); // some trims go backwards
                    cutoffs.Add(cutoff);
                    await trimmer.TrimAsync(cutoff);
                    await CheckNoHoleAsync(trimmer);
                }
            }));

        await Parallel.ForEachAsync(Enumerable.Range(0, writers), async (w, ct) =>
        {
            appended[w] = [];
            await using AppendLog log = Open(Quiet(threshold: 1)); // each event its own batch, stored before the append returns
            for (int i = 0; i < 60; i++)
            {
                DateTimeOffset started = DateTimeOffset.UtcNow;
                await log.AppendAsync(E(Json(w, i)), ct);
                appended[w].Add((Json(w, i), started, DateTimeOffset.UtcNow));
                Volatile.Write(ref acknowledged[w], i + 1);
            }
        });
        await done.CancelAsync();
        await background;
        Assert.True(problems.IsEmpty, string.Join(Environment.NewLine, problems));

        DateTimeOffset effective = cutoffs.Max();
        await using AppendLog reader = Open();
        await reader.CompactAsync();
        HashSet<string> final = Texts(await reader.ReadAllAsync()).ToHashSet();
        foreach ((string text, DateTimeOffset started, DateTimeOffset finished) in appended.SelectMany(a => a))
        {
            if (started >= effective.AddMilliseconds(1))
            {
                Assert.Contains(text, final); // at or after every cutoff: never removed
            }
            else if (finished < effective - TimeSpan.FromSeconds(1))
            {
                // Stored a second or more before the record that cut there (servers that stamp to the second count
                // an object of the record's own second as stored after it, and a trim never hides what was).
                Assert.DoesNotContain(text, final); // before the latest cutoff: trimmed, never resurrected
            }
        }
    }

    /// <summary>Waits until the store's clock is in a later second than now, so what is stored next is stamped after what was stored before.</summary>
    private async Task NextStoreSecondAsync()
    {
        DateTimeOffset now = await Store.GetTimeAsync();
        while ((await Store.GetTimeAsync()).ToUnixTimeSeconds() <= now.ToUnixTimeSeconds() + 1)
        {
            await Task.Delay(100);
        }
    }

    public static async Task<InMemoryObjectStore> CopyAsync(IObjectStore source, string prefix)
    {
        var copy = new InMemoryObjectStore();
        foreach (ObjectMeta meta in await source.ListSortedAsync(prefix + "/"))
        {
            await copy.PutAsync(meta.Key, await source.GetBytesAsync(meta.Key));
        }

        return copy;
    }

    public static void AssertEveryWriterComplete(string[] events, int writers, int perWriter)
    {
        Assert.Equal(writers * perWriter, events.Length);
        Assert.Equal(events.Length, events.Distinct().Count());
        for (int w = 0; w < writers; w++)
        {
            string marker = $"{{\"writer\":{w},";
            Assert.Equal(Enumerable.Range(0, perWriter).Select(i => Json(w, i)), events.Where(e => e.StartsWith(marker, StringComparison.Ordinal)));
        }
    }
}
