using System.Text;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Conformance;

/// <summary>
/// The contract of <see cref="IObjectStore"/>, run against every store. A backend is done when a subclass of this
/// class passes. Each test works under its own random <see cref="Root"/> so stores on a shared server don't interfere.
/// </summary>
public abstract partial class ObjectStoreConformanceTests
{
    protected ObjectStoreConformanceTests()
    {
        Root = $"conf-{Guid.NewGuid():N}";
    }

    /// <summary>The store under test; a subclass creates it (or a view of a shared one) per test.</summary>
    protected abstract IObjectStore Store { get; }

    /// <summary>A key prefix unique to this test.</summary>
    protected string Root { get; }

    /// <summary>Why create-only puts can't be checked on this store, or <see langword="null"/> if they can.</summary>
    protected virtual string? CreateOnlyUnsupportedReason => Store.SupportsCreateOnly ? null : "the store does not enforce create-only puts";

    /// <summary>Size of the large-object round trip; big enough to force multipart uploads on cloud stores.</summary>
    protected virtual int LargeObjectSize => 12 * 1024 * 1024;

    private string K(string name) => $"{Root}/{name}";

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task The_store_clock_agrees_with_the_stamps_of_the_objects_it_writes()
    {
        // Every decision that compares two processes' times uses this clock; it must be the one objects are stamped
        // with (to the second, as S3 and Azure give it), whatever this machine's own clock says.
        DateTimeOffset before = await Store.GetTimeAsync();
        string key = Root + "clock";
        await Store.PutAsync(key, new byte[] { 1 });
        DateTimeOffset after = await Store.GetTimeAsync();
        DateTimeOffset stamped = (await Store.ListSortedAsync(key)).Single().LastModified;
        Assert.InRange(stamped, before - TimeSpan.FromSeconds(2), after + TimeSpan.FromSeconds(2));
        Assert.True(after >= before - TimeSpan.FromSeconds(1), $"the clock went back: {before:O}, then {after:O}");
    }

    [Fact]
    public async Task Put_then_get_returns_the_same_bytes()
    {
        byte[] data = new byte[70_000];
        new Random(1).NextBytes(data);
        await Store.PutAsync(K("a/b/binary"), data);
        Assert.Equal(data, await Store.GetBytesAsync(K("a/b/binary")));
    }

    [Fact]
    public async Task Empty_object_round_trips()
    {
        await Store.PutAsync(K("empty"), ReadOnlyMemory<byte>.Empty);
        Assert.Empty(await Store.GetBytesAsync(K("empty")));
        ObjectMeta meta = Assert.Single(await Store.ListSortedAsync(K("empty")));
        Assert.Equal(0, meta.Size);
    }

    [Fact]
    public async Task Put_reads_the_stream_from_its_current_position()
    {
        var stream = new MemoryStream(Bytes("skip-this|keep-this"));
        stream.Position = 10;
        await Store.PutAsync(K("pos"), stream, PutMode.Overwrite);
        Assert.Equal(Bytes("keep-this"), await Store.GetBytesAsync(K("pos")));
    }

    [Fact]
    public async Task Overwrite_replaces_an_existing_object()
    {
        await Store.PutAsync(K("o"), Bytes("first"));
        await Store.PutAsync(K("o"), Bytes("second"), PutMode.Overwrite);
        Assert.Equal(Bytes("second"), await Store.GetBytesAsync(K("o")));
    }

    [Fact]
    public async Task Create_succeeds_when_the_key_is_free()
    {
        await Store.PutAsync(K("c"), Bytes("x"), PutMode.Create);
        Assert.Equal(Bytes("x"), await Store.GetBytesAsync(K("c")));
    }

    [SkippableFact]
    public async Task Create_fails_with_AlreadyExists_and_keeps_the_original()
    {
        SkipUnlessCreateOnly();
        await Store.PutAsync(K("c"), Bytes("original"), PutMode.Create);
        var e = await Assert.ThrowsAsync<ObjectAlreadyExistsException>(() => Store.PutAsync(K("c"), Bytes("intruder"), PutMode.Create));
        Assert.Equal(K("c"), e.Key);
        Assert.Equal(Bytes("original"), await Store.GetBytesAsync(K("c")));
    }

    [SkippableFact]
    public async Task Of_sixteen_racing_creates_exactly_one_wins()
    {
        SkipUnlessCreateOnly();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<int>[] racers = Enumerable.Range(0, 16).Select(async i =>
        {
            await start.Task;
            try
            {
                await Store.PutAsync(K("race"), Bytes($"writer-{i}"), PutMode.Create);
                return 1;
            }
            catch (ObjectAlreadyExistsException)
            {
                return 0;
            }
        }).ToArray();
        start.SetResult();
        int[] wins = await Task.WhenAll(racers);
        Assert.Equal(1, wins.Sum());
        int winner = Array.IndexOf(wins, 1);
        Assert.Equal(Bytes($"writer-{winner}"), await Store.GetBytesAsync(K("race")));
    }

    [Fact]
    public async Task Get_of_a_missing_key_throws_NotFound_naming_the_key()
    {
        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.GetAsync(K("missing")));
        Assert.Equal(K("missing"), e.Key);
        Assert.Contains(K("missing"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ranged_get_returns_exactly_the_range()
    {
        await Store.PutAsync(K("r"), Bytes("0123456789"));
        Assert.Equal(Bytes("345"), await Store.GetBytesAsync(K("r"), new ByteRange(3, 3)));
        Assert.Equal(Bytes("0"), await Store.GetBytesAsync(K("r"), new ByteRange(0, 1)));
        Assert.Equal(Bytes("9"), await Store.GetBytesAsync(K("r"), new ByteRange(9, 1)));
    }

    [Fact]
    public async Task Ranged_get_past_the_end_returns_what_exists()
    {
        await Store.PutAsync(K("r"), Bytes("0123456789"));
        Assert.Equal(Bytes("789"), await Store.GetBytesAsync(K("r"), new ByteRange(7, 100)));
        Assert.Empty(await Store.GetBytesAsync(K("r"), new ByteRange(10, 5)));
        Assert.Empty(await Store.GetBytesAsync(K("r"), new ByteRange(50, 5)));
        Assert.Empty(await Store.GetBytesAsync(K("r"), new ByteRange(2, 0)));
    }

    [Fact]
    public async Task Ranged_get_of_a_missing_key_throws_NotFound()
    {
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.GetAsync(K("missing"), new ByteRange(0, 1)));
    }

    [Fact]
    public async Task Delete_removes_the_object()
    {
        await Store.PutAsync(K("d"), Bytes("x"));
        await Store.DeleteAsync(K("d"));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.GetAsync(K("d")));
        Assert.Empty(await Store.ListSortedAsync(K("d")));
    }

    [Fact]
    public async Task Delete_of_a_missing_key_succeeds()
    {
        await Store.DeleteAsync(K("never-written"));
        await Store.DeleteAsync(K("no/such/folder/key"));
    }

    [Fact]
    public async Task Delete_many_removes_every_key_across_several_requests_and_leaves_the_others()
    {
        const int count = 2_500; // S3 takes 1,000 keys a request
        string[] doomed = Enumerable.Range(0, count).Select(i => K($"bulk/{i:D5}")).ToArray();
        string[] kept = [K("bulk/keep"), K("bulk-neighbour"), K("bulk/00000x")];
        await Parallel.ForEachAsync(doomed.Concat(kept), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, ct) =>
            await Store.PutAsync(key, Bytes("x"), PutMode.Overwrite, ct));

        await Store.DeleteManyAsync(doomed);

        Assert.Equal(kept.Order(StringComparer.Ordinal), (await Store.ListSortedAsync(K("bulk"))).Select(m => m.Key));
        Assert.Equal(Bytes("x"), await Store.GetBytesAsync(K("bulk/keep")));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.GetAsync(doomed[^1]));
    }

    [Fact]
    public async Task Delete_many_counts_missing_and_repeated_keys_as_deleted()
    {
        await Store.PutAsync(K("m/present"), Bytes("x"));

        await Store.DeleteManyAsync([K("m/never-written"), K("m/present"), K("no/such/folder/key"), K("m/present")]);

        Assert.Empty(await Store.ListSortedAsync(K("m/")));
        await Store.DeleteManyAsync([K("m/present")]);
    }

    [Fact]
    public async Task Delete_many_of_no_keys_does_nothing()
    {
        await Store.PutAsync(K("e/a"), Bytes("x"));

        await Store.DeleteManyAsync([]);

        Assert.Equal(Bytes("x"), await Store.GetBytesAsync(K("e/a")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/absolute")]
    [InlineData("a/../../escape")]
    [InlineData("trailing/")]
    [InlineData("back\\slash")]
    [InlineData("nul\0byte")]
    public async Task Delete_many_refuses_an_invalid_key_before_deleting_anything(string invalid)
    {
        await Store.PutAsync(K("v/a"), Bytes("a"));
        await Store.PutAsync(K("v/b"), Bytes("b"));

        var e = await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteManyAsync([K("v/a"), invalid, K("v/b")]));

        Assert.IsNotType<ArgumentNullException>(e);
        Assert.Equal([K("v/a"), K("v/b")], (await Store.ListSortedAsync(K("v/"))).Select(m => m.Key));
    }

    [Fact]
    public async Task Delete_many_refuses_a_null_list_or_key()
    {
        await Store.PutAsync(K("n/a"), Bytes("a"));

        await Assert.ThrowsAsync<ArgumentNullException>(() => Store.DeleteManyAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Store.DeleteManyAsync([K("n/a"), null!]));

        Assert.Equal(Bytes("a"), await Store.GetBytesAsync(K("n/a")));
    }

    [Fact]
    public async Task A_cancelled_delete_many_throws_OperationCanceledException_and_deletes_nothing()
    {
        await Store.PutAsync(K("cancel/a"), Bytes("a"));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.DeleteManyAsync([K("cancel/a")], cts.Token));

        Assert.Equal(Bytes("a"), await Store.GetBytesAsync(K("cancel/a")));
    }

    [Fact]
    public async Task List_returns_keys_under_the_prefix_with_sizes_including_nested_ones()
    {
        await Store.PutAsync(K("log/a"), Bytes("1"));
        await Store.PutAsync(K("log/b"), Bytes("22"));
        await Store.PutAsync(K("log/sub/c"), Bytes("333"));
        await Store.PutAsync(K("logx/d"), Bytes("4444"));
        await Store.PutAsync(K("other"), Bytes("55555"));

        List<ObjectMeta> listed = await Store.ListSortedAsync(K("log/"));
        Assert.Equal([K("log/a"), K("log/b"), K("log/sub/c")], listed.Select(m => m.Key));
        Assert.Equal([1L, 2L, 3L], listed.Select(m => m.Size));

        List<ObjectMeta> byStringPrefix = await Store.ListSortedAsync(K("log"));
        Assert.Equal([K("log/a"), K("log/b"), K("log/sub/c"), K("logx/d")], byStringPrefix.Select(m => m.Key));
    }

    [Fact]
    public async Task List_of_an_empty_prefix_returns_nothing()
    {
        Assert.Empty(await Store.ListSortedAsync(K("nothing-here/")));
    }

    [Fact]
    public async Task List_after_a_key_returns_only_later_keys()
    {
        foreach (string name in new[] { "k1", "k2", "k3", "k4" })
        {
            await Store.PutAsync(K($"s/{name}"), Bytes(name));
        }

        Assert.Equal([K("s/k3"), K("s/k4")], (await Store.ListSortedAsync(K("s/"), K("s/k2"))).Select(m => m.Key));
        Assert.Equal([K("s/k3"), K("s/k4")], (await Store.ListSortedAsync(K("s/"), K("s/k2x"))).Select(m => m.Key));
        Assert.Empty(await Store.ListSortedAsync(K("s/"), K("s/k4")));
    }

    [Fact]
    public async Task List_pages_through_more_than_a_thousand_keys()
    {
        const int count = 1_050;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await Store.PutAsync(K($"many/{i:D5}"), Bytes("x"), PutMode.Overwrite, ct));

        List<ObjectMeta> all = await Store.ListSortedAsync(K("many/"));
        Assert.Equal(Enumerable.Range(0, count).Select(i => K($"many/{i:D5}")), all.Select(m => m.Key));

        List<ObjectMeta> after = await Store.ListSortedAsync(K("many/"), K("many/00999"));
        Assert.Equal(Enumerable.Range(1000, count - 1000).Select(i => K($"many/{i:D5}")), after.Select(m => m.Key));
    }

    [Fact]
    public async Task Large_object_round_trips_byte_exact()
    {
        byte[] data = new byte[LargeObjectSize];
        new Random(7).NextBytes(data);
        await Store.PutAsync(K("large"), new MemoryStream(data), PutMode.Create);
        byte[] back = await Store.GetBytesAsync(K("large"));
        Assert.Equal(data.Length, back.Length);
        Assert.True(data.AsSpan().SequenceEqual(back), "large object content differs");
        Assert.Equal(data.AsSpan(5_000_000, 10).ToArray(), await Store.GetBytesAsync(K("large"), new ByteRange(5_000_000, 10)));
    }

    [Fact]
    public async Task A_body_whose_object_is_deleted_while_it_streams_reads_whole_or_throws_NotFound()
    {
        byte[] data = new byte[LargeObjectSize];
        new Random(11).NextBytes(data);
        await Store.PutAsync(K("vanishing"), new MemoryStream(data), PutMode.Create);
        await using Stream body = await Store.GetAsync(K("vanishing"));
        var read = new MemoryStream();
        byte[] chunk = new byte[64 * 1024];
        int n = await body.ReadAsync(chunk);
        read.Write(chunk, 0, n);
        await Store.DeleteAsync(K("vanishing")); // a compaction superseding it, say
        try
        {
            await body.CopyToAsync(read);
            Assert.True(data.AsSpan().SequenceEqual(read.ToArray()), "a body that reads to its end must be the whole object");
        }
        catch (ObjectNotFoundException e)
        {
            Assert.Equal(K("vanishing"), e.Key); // what a reader restarts on; any other exception fails the read
        }
    }

    [Fact]
    public async Task Large_object_from_a_non_seekable_stream_round_trips()
    {
        byte[] data = new byte[LargeObjectSize];
        new Random(8).NextBytes(data);
        await Store.PutAsync(K("large-stream"), new NonSeekableStream(data), PutMode.Overwrite);
        byte[] back = await Store.GetBytesAsync(K("large-stream"));
        Assert.True(data.AsSpan().SequenceEqual(back), "large object content differs");
    }

    [Theory]
    [InlineData("")]
    [InlineData("/absolute")]
    [InlineData("a/../../escape")]
    [InlineData("..")]
    [InlineData("a/./b")]
    [InlineData("a//b")]
    [InlineData("trailing/")]
    [InlineData("back\\slash")]
    [InlineData("nul\0byte")]
    [InlineData("C:/windows")]
    public async Task Invalid_keys_are_refused_with_ArgumentException(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(key, Bytes("x")));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(key));
    }

    [Fact]
    public async Task A_cancelled_call_throws_OperationCanceledException_and_writes_nothing()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PutAsync(K("cancelled"), Bytes("x"), PutMode.Overwrite, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.GetAsync(K("cancelled"), null, cts.Token));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.GetAsync(K("cancelled")));
    }

    private void SkipUnlessCreateOnly()
    {
        Skip.If(CreateOnlyUnsupportedReason is not null, CreateOnlyUnsupportedReason);
    }
}
