using ObjectLog.Storage;

namespace ObjectLog.Tests.Conformance;

/// <summary>The public helpers a backend is built from (the kit in <see cref="ObjectLog.Storage"/>): what each returns, and what each refuses at the door.</summary>
public sealed class StorageKitTests
{
    [Theory]
    [InlineData(null, null, 0, 10)]
    [InlineData(3L, 3L, 3, 3)]
    [InlineData(7L, 100L, 7, 3)]
    [InlineData(10L, 5L, 10, 0)]
    [InlineData(50L, 5L, 10, 0)]
    public void A_range_within_an_object_is_cut_at_its_end(long? offset, long? length, long expectedOffset, long expectedLength)
    {
        ByteRange? range = offset is { } o ? new ByteRange(o, length!.Value) : null;
        Assert.Equal(new ByteRange(expectedOffset, expectedLength), ByteRange.Within(range, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => ByteRange.Within(range, -1));
    }

    [Fact]
    public void A_key_is_listed_under_a_string_prefix_after_the_start_key()
    {
        Assert.True(ObjectKey.IsListed("logs/a", "logs/", null));
        Assert.True(ObjectKey.IsListed("logsx/a", "logs", null));
        Assert.False(ObjectKey.IsListed("other/a", "logs/", null));
        Assert.False(ObjectKey.IsListed("logs/a", "logs/", "logs/a"));
        Assert.True(ObjectKey.IsListed("logs/b", "logs/", "logs/a"));
        Assert.Throws<ArgumentNullException>(() => ObjectKey.IsListed(null!, "", null));
    }

    [Fact]
    public async Task Object_streams_cut_a_body_and_hand_over_memory_without_a_copy()
    {
        byte[] data = [1, 2, 3, 4, 5];
        Stream memory = ObjectStreams.FromMemory(data);
        Assert.True(ObjectStreams.TryGetMemory(memory, out ReadOnlyMemory<byte> remaining));
        Assert.Equal(data, remaining.ToArray());
        Assert.False(ObjectStreams.TryGetMemory(new MemoryStream(data), out _));

        await using Stream bounded = ObjectStreams.Bounded(new MemoryStream(data), 2);
        var read = new MemoryStream();
        await bounded.CopyToAsync(read);
        Assert.Equal([1, 2], read.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => ObjectStreams.Bounded(new MemoryStream(), -1));
    }

    [Fact]
    public async Task A_translating_body_throws_what_the_store_makes_of_a_failure()
    {
        var failing = new ThrowingStream(new IOException("connection reset"));
        await using Stream body = ObjectStreams.TranslatingFailures(failing, e => e is IOException, (e, _) => Task.FromResult<Exception>(new ObjectNotFoundException("k", e)));
        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(async () => await body.CopyToAsync(Stream.Null));
        Assert.IsType<IOException>(e.InnerException);
        Assert.Throws<ArgumentNullException>(() => ObjectStreams.TranslatingFailures(failing, null!, (e, _) => Task.FromResult(e)));
    }

    [Fact]
    public async Task Bulk_delete_in_batches_reports_every_key_once_and_refuses_bad_arguments_before_sending()
    {
        var batches = new List<IReadOnlyList<string>>();
        var e = await Assert.ThrowsAsync<BulkDeleteException>(() => BulkDelete.DeleteInBatchesAsync(
            ["a", "b", "a", "c", "d", "e"],
            batchSize: 2,
            concurrency: 1,
            (keys, outcome, _) =>
            {
                batches.Add(keys);
                foreach (string key in keys)
                {
                    if (key == "c")
                    {
                        outcome.MarkFailed(key, new ObjectStoreException("refused", key));
                    }
                    else
                    {
                        outcome.MarkDeleted(key);
                    }
                }

                return Task.CompletedTask;
            },
            CancellationToken.None));

        Assert.Equal([["a", "b"], ["c", "d"], ["e"]], batches);
        Assert.Equal(["c"], e.Failures.Keys);
        Assert.Equal(["a", "b", "d", "e"], e.Deleted.Order(StringComparer.Ordinal));

        Task Never(IReadOnlyList<string> keys, BulkDeleteOutcome outcome, CancellationToken ct) => throw new InvalidOperationException("sent");
        await Assert.ThrowsAsync<ArgumentException>(() => BulkDelete.DeleteInBatchesAsync(["a", "../b"], 10, 1, Never, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => BulkDelete.DeleteInBatchesAsync(["a"], 0, 1, Never, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => BulkDelete.DeleteEachAsync(new InMemoryObjectStore(), ["a"], 0, CancellationToken.None));
    }

    [Fact]
    public void A_client_policy_refuses_what_cannot_work()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StoreClientPolicy(-1, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StoreClientPolicy(1, TimeSpan.Zero));
        Assert.Equal(1, StoreClientPolicy.FailFast.MaxRetries);
    }

    [Fact]
    public void A_scheme_registration_is_checked_at_the_door()
    {
        static ObjectStoreLocation Open(StoreUrl url) => new(new InMemoryObjectStore(), url.Prefix, url.Description);
        Assert.Throws<ArgumentException>(() => ObjectStoreUrl.Register("memory", "store", [], Open));
        Assert.Throws<ArgumentException>(() => ObjectStoreUrl.Register("1bad", "store", [], Open));
        Assert.Throws<ArgumentException>(() => ObjectStoreUrl.Register("kit-check", " ", [], Open));
        Assert.Throws<ArgumentNullException>(() => ObjectStoreUrl.Register("kit-check", "store", [null!], Open));
    }

    private sealed class ThrowingStream(Exception failure) : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw failure;
    }
}
