using System.Runtime.CompilerServices;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>A read's first GETs start while its listing is still arriving (see ListingPrefetch).</summary>
public sealed class ListingOverlapTests
{
    private readonly InMemoryObjectStore _memory = new();

    private async Task<string[]> WriteBatchesAsync(string prefix, int batches)
    {
        await using var log = new AppendLog(_memory, prefix, Quiet(threshold: 2));
        var appended = new List<string>();
        for (int i = 0; i < batches * 2; i++)
        {
            appended.Add(Json(0, i));
            await log.AppendAsync(E(appended[^1]));
        }

        return [.. appended];
    }

    [Fact]
    public async Task The_first_gets_start_before_the_last_page_of_an_ordered_listing_arrives()
    {
        string[] appended = await WriteBatchesAsync("overlap", 300);
        var paged = new PagedListingStore(_memory, pageSize: 100, descending: false);
        await using var log = new AppendLog(paged, "overlap", Quiet());
        Assert.Equal(appended, Texts(await log.ReadAllAsync())); // the listing waits after its first page until a GET has started
        Assert.True(paged.GetsBeforeListingEnded > 0);
        Assert.Equal(300, paged.Gets); // every fetch started during the listing was used
    }

    [Fact]
    public async Task A_listing_out_of_key_order_stops_speculation_at_once_even_where_the_store_claims_order()
    {
        string[] appended = await WriteBatchesAsync("unordered", 50);
        var reversed = new PagedListingStore(_memory, pageSize: 1000, descending: true, waitForGet: false);
        await using var log = new AppendLog(reversed, "unordered", Quiet());
        Assert.Equal(appended, Texts(await log.ReadAllAsync()));
        Assert.InRange(reversed.Gets, 50, 51); // at most the first key listed was fetched ahead, and wasted
    }

    [Fact]
    public async Task Fetches_of_batches_a_merged_object_holds_are_dropped_and_the_read_is_unchanged()
    {
        string[] appended = await WriteBatchesAsync("merged", 20);
        await using (var compactor = new AppendLog(_memory, "merged", new AppendLogOptions { SupersededGracePeriod = TimeSpan.FromHours(1), FlushInterval = Timeout.InfiniteTimeSpan }))
        {
            await compactor.CompactAsync(); // the originals stay for the grace period, after the merged object in key order
        }

        // In key order the 20 superseded batch objects come after the merged object: they are fetched while the
        // listing arrives, then dropped, because the plan reads their batches from the merged object.
        var ordered = new PagedListingStore(_memory, pageSize: 1000, descending: false, waitForGet: false);
        await using var log = new AppendLog(ordered, "merged", Quiet());
        Assert.Equal(appended, Texts(await log.ReadAllAsync()));
        Assert.True(ordered.Gets >= 20 + 2, $"{ordered.Gets} GETs: the 20 batch objects were not fetched while listing (the merged object and its manifest make 2)");
        var positions = new List<LogPosition>();
        await foreach (LogEvent e in log.ReadEventsAsync())
        {
            positions.Add(e.Position);
        }

        Assert.Equal(appended.Length, positions.Count);
    }

    /// <summary>Lists the inner store sorted (or reversed) in pages; optionally holds the listing after its first page until a GET starts.</summary>
    private sealed class PagedListingStore(IObjectStore inner, int pageSize, bool descending, bool waitForGet = true) : IObjectStore
    {
        private readonly TaskCompletionSource _firstGet = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _gets;
        private bool _listing;

        public int Gets => Volatile.Read(ref _gets);

        public int GetsBeforeListingEnded { get; private set; }

        public bool SupportsCreateOnly => inner.SupportsCreateOnly;

        public ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default) => inner.GetTimeAsync(cancellationToken);

        public bool ListsInKeyOrder => true; // claimed even when descending: the reader must notice

        public Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default) => inner.PutAsync(key, content, mode, cancellationToken);

        public Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _gets);
            _firstGet.TrySetResult();
            return inner.GetAsync(key, range, cancellationToken);
        }

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

        public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            List<ObjectMeta> all = await inner.ListSortedAsync(prefix, startAfter, cancellationToken);
            if (descending)
            {
                all.Reverse();
            }

            _listing = true;
            for (int i = 0; i < all.Count; i++)
            {
                if (i == pageSize && waitForGet)
                {
                    await _firstGet.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken); // a TimeoutException if no GET overlaps the listing
                }

                yield return all[i];
            }

            GetsBeforeListingEnded = _listing ? Gets : 0;
            _listing = false;
        }
    }
}
