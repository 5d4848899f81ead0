using System.Runtime.CompilerServices;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Fakes;

/// <summary>Which store call a fault applies to.</summary>
public enum StoreCall
{
    Put,
    Get,
    Delete,
    List,
}

/// <summary>What an injected fault does.</summary>
public enum Fault
{
    /// <summary>Fail before the call reaches the store: nothing happens.</summary>
    FailBefore,

    /// <summary>Let the call succeed, then report failure (a timeout after success): the caller can't tell.</summary>
    FailAfter,
}

/// <summary>
/// Wraps any store; counts calls and, when told, fails them before or after they take effect, or adds latency.
/// A "crash" is a fault after which the caller abandons its work.
/// </summary>
public sealed class FaultInjectingObjectStore(IObjectStore inner) : IObjectStore
{
    private readonly Lock _gate = new();
    private Func<StoreCall, string, Fault?>? _decide;
    private (Func<StoreCall, string, bool> Match, Func<Task> Action)? _stall;
    private int _calls;
    private int _deletes;
    private int _bulkDeletes;
    private int _gets;
    private int _maxGets;
    private int _puts;
    private int _maxPuts;
    private TaskCompletionSource? _putGate;
    private int _rangedGets;
    private int _lists;
    private int _listPages;
    private long _keysListed;
    private int _getCount;

    /// <summary>The key a clock reading's faults are decided for (see <see cref="GetTimeAsync"/>).</summary>
    public const string ClockKey = "clock";

    public IObjectStore Inner => inner;

    public bool SupportsCreateOnly => CreateOnly ?? inner.SupportsCreateOnly;

    /// <summary>A clock reading counts, and fails, as a LIST of the key <c>clock</c> (a cloud store lists one key to read the Date of the answer).</summary>
    public async ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _lists);
        Interlocked.Increment(ref _listPages);
        Fault? fault = await EnterAsync(StoreCall.List, ClockKey, cancellationToken);
        DateTimeOffset time = await inner.GetTimeAsync(cancellationToken);
        ThrowIfAfter(fault, StoreCall.List, ClockKey);
        return time;
    }

    /// <summary>One: this store models a bulk delete as one request however many keys it names (see <see cref="BulkDeletes"/>).</summary>
    public int MaxKeysPerDeleteRequest => int.MaxValue;

    /// <summary>Overrides what the store reports for <see cref="SupportsCreateOnly"/> (a log then writes with plain overwrites).</summary>
    public bool? CreateOnly { get; set; }

    /// <summary>PUTs in flight now, and the most that were at once.</summary>
    public int PutsInFlight => Volatile.Read(ref _puts);

    /// <inheritdoc cref="PutsInFlight"/>
    public int MaxConcurrentPuts => Volatile.Read(ref _maxPuts);

    /// <summary>Makes every PUT from now on wait (after counting as in flight) until <see cref="ReleasePuts"/>.</summary>
    public void HoldPuts()
    {
        lock (_gate)
        {
            _putGate ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Lets held PUTs, and later ones, go.</summary>
    public void ReleasePuts()
    {
        TaskCompletionSource? gate;
        lock (_gate)
        {
            gate = _putGate;
            _putGate = null;
        }

        gate?.TrySetResult();
    }

    /// <summary>Store calls made so far (all kinds; a bulk delete is one).</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Single deletes (<see cref="DeleteAsync"/>) made so far.</summary>
    public int Deletes => Volatile.Read(ref _deletes);

    /// <summary>Bulk deletes (<see cref="DeleteManyAsync"/>) made so far, each one request however many keys it names.</summary>
    public int BulkDeletes => Volatile.Read(ref _bulkDeletes);

    /// <summary>Puts made so far.</summary>
    public int Puts { get; private set; }

    /// <summary>Bytes handed to puts so far (seekable content only), by key.</summary>
    public long BytesPut { get; private set; }

    /// <summary>The most GETs that were in flight at once.</summary>
    public int MaxConcurrentGets => Volatile.Read(ref _maxGets);

    /// <summary>GETs made so far, whole or ranged.</summary>
    public int Gets => Volatile.Read(ref _getCount);

    /// <summary>GETs of a byte range (not a whole object) made so far.</summary>
    public int RangedGets => Volatile.Read(ref _rangedGets);

    /// <summary>LIST calls made so far (one per <see cref="ListAsync"/>, however many pages).</summary>
    public int Lists => Volatile.Read(ref _lists);

    /// <summary>LIST requests a store that pages 1,000 keys a request would have made so far: one per started 1,000 keys of each listing, and one for an empty one.</summary>
    public int ListPages => Volatile.Read(ref _listPages);

    /// <summary>Keys returned by listings so far: what listing costs on a store that pages (S3 and Azure: 1,000 or 5,000 keys a request).</summary>
    public long KeysListed => Interlocked.Read(ref _keysListed);

    /// <summary>Extra delay before every call.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Whether each call yields a random number of times before acting, so concurrent calls finish in random order without wall-clock delay.</summary>
    public bool Reorder { get; set; }

    /// <summary>Sets the rule that decides, per call, whether and how it fails; <see langword="null"/> for none.</summary>
    public void FailWhen(Func<StoreCall, string, Fault?>? decide)
    {
        lock (_gate)
        {
            _decide = decide;
        }
    }

    /// <summary>Runs a compaction of <paramref name="log"/> (which writes through this store) that crashes after writing its merged data and end marker, before its manifest: the commit.</summary>
    public async Task CrashCompactionBeforeCommitAsync(AppendLog log)
    {
        FailWhen((call, key) => call == StoreCall.Put && key.EndsWith(".manifest.json", StringComparison.Ordinal) ? Fault.FailBefore : null);
        try
        {
            await Assert.ThrowsAsync<InjectedFaultException>(() => log.CompactAsync());
        }
        finally
        {
            FailWhen(null);
        }
    }

    /// <summary>Fails the call with the given 1-based index (counting from now), once; each key of a bulk delete counts as a call here.</summary>
    public void FailNthCall(int n, Fault fault)
    {
        int target = Calls + n;
        int seen = Calls;
        FailWhen((_, _) => Interlocked.Increment(ref seen) == target ? fault : null);
    }

    /// <summary>For the next <paramref name="calls"/> calls, fails each with chance <paramref name="probability"/>, before or after it acts (equally likely).</summary>
    public void FailRandomly(int calls, double probability)
    {
        int left = calls;
        FailWhen((_, _) => Interlocked.Decrement(ref left) >= 0 && Random.Shared.NextDouble() < probability
            ? (Random.Shared.Next(2) == 0 ? Fault.FailBefore : Fault.FailAfter)
            : null);
    }

    public Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default)
        => PutCoreAsync(key, content, mode, null, cancellationToken);

    public Task PutAsync(string key, Stream content, PutMode mode, uint crc32C, CancellationToken cancellationToken = default)
        => PutCoreAsync(key, content, mode, crc32C, cancellationToken);

    private async Task PutCoreAsync(string key, Stream content, PutMode mode, uint? crc32C, CancellationToken cancellationToken)
    {
        TaskCompletionSource? gate;
        lock (_gate)
        {
            gate = _putGate;
        }

        RaiseMax(ref _maxPuts, Interlocked.Increment(ref _puts));
        try
        {
            if (gate is not null)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }

            Fault? fault = await EnterAsync(StoreCall.Put, key, cancellationToken);
            lock (_gate)
            {
                Puts++;
                BytesPut += content.CanSeek ? content.Length - content.Position : 0;
            }

            await inner.PutAsync(key, content, mode, crc32C, cancellationToken);
            ThrowIfAfter(fault, StoreCall.Put, key);
        }
        finally
        {
            Interlocked.Decrement(ref _puts);
        }
    }

    public bool SupportsConditionalUpdate => ConditionalUpdate ?? inner.SupportsConditionalUpdate;

    /// <summary>Overrides what <see cref="SupportsConditionalUpdate"/> reports, to stand for a store that cannot (s3rver).</summary>
    public bool? ConditionalUpdate { get; set; }

    /// <summary>A versioned read counts, and fails, as a GET.</summary>
    public async Task<VersionedObject> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _getCount);
        Fault? fault = await EnterAsync(StoreCall.Get, key, cancellationToken);
        VersionedObject read = await inner.GetVersionedAsync(key, cancellationToken);
        ThrowIfAfter(fault, StoreCall.Get, key);
        return read;
    }

    /// <summary>A conditional put counts, and fails, as a PUT: after success, the caller cannot tell it landed.</summary>
    public async Task<string> PutVersionedAsync(string key, ReadOnlyMemory<byte> content, PutMode mode, string? version, CancellationToken cancellationToken = default)
    {
        Fault? fault = await EnterAsync(StoreCall.Put, key, cancellationToken);
        lock (_gate)
        {
            Puts++;
            BytesPut += content.Length;
        }

        string written = await inner.PutVersionedAsync(key, content, mode, version, cancellationToken);
        ThrowIfAfter(fault, StoreCall.Put, key);
        return written;
    }

    public async Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        if (range is not null)
        {
            Interlocked.Increment(ref _rangedGets);
        }

        Interlocked.Increment(ref _getCount);
        RaiseMax(ref _maxGets, Interlocked.Increment(ref _gets));

        Fault? fault;
        Stream s;
        try
        {
            fault = await EnterAsync(StoreCall.Get, key, cancellationToken);
            s = await inner.GetAsync(key, range, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _gets);
        }

        if (fault == Fault.FailAfter)
        {
            await s.DisposeAsync();
        }

        ThrowIfAfter(fault, StoreCall.Get, key);
        return s;
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _deletes);
        Fault? fault = await EnterAsync(StoreCall.Delete, key, cancellationToken);
        await inner.DeleteAsync(key, cancellationToken);
        ThrowIfAfter(fault, StoreCall.Delete, key);
    }

    /// <summary>
    /// One call (and one latency) for the whole request; the fault rule is asked about each key as a
    /// <see cref="StoreCall.Delete"/>. A key failed before is not sent; one failed after is deleted but reported failed.
    /// </summary>
    public async Task DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> unique = BulkDelete.Prepare(keys);
        Interlocked.Increment(ref _bulkDeletes);
        await CountAsync(cancellationToken);
        var failures = new Dictionary<string, ObjectStoreException>(StringComparer.Ordinal);
        var failAfter = new HashSet<string>(StringComparer.Ordinal);
        var send = new List<string>(unique.Count);
        foreach (string key in unique)
        {
            switch (Decide(StoreCall.Delete, key))
            {
                case Fault.FailBefore:
                    failures[key] = new InjectedFaultException(StoreCall.Delete, key, Fault.FailBefore);
                    continue;
                case Fault.FailAfter:
                    failAfter.Add(key);
                    break;
            }

            send.Add(key);
        }

        IReadOnlyCollection<string> deleted = send;
        try
        {
            await inner.DeleteManyAsync(send, cancellationToken);
        }
        catch (BulkDeleteException e)
        {
            deleted = e.Deleted;
            foreach ((string key, ObjectStoreException error) in e.Failures)
            {
                failures[key] = error;
            }
        }

        foreach (string key in failAfter.Where(k => !failures.ContainsKey(k)))
        {
            failures[key] = new InjectedFaultException(StoreCall.Delete, key, Fault.FailAfter);
        }

        if (failures.Count > 0)
        {
            throw new BulkDeleteException(failures, deleted.Where(k => !failures.ContainsKey(k)).ToList());
        }
    }

    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _lists);
        Fault? fault = await EnterAsync(StoreCall.List, prefix, cancellationToken);
        ThrowIfAfter(fault, StoreCall.List, prefix);
        int listed = 0;
        Interlocked.Increment(ref _listPages);
        await foreach (ObjectMeta meta in inner.ListAsync(prefix, startAfter, cancellationToken))
        {
            if (++listed % 1000 == 1 && listed > 1)
            {
                Interlocked.Increment(ref _listPages); // key 1,001, 2,001, …: the next page was asked for
            }

            Interlocked.Increment(ref _keysListed);
            yield return meta;
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> once, inside the first call from now that <paramref name="match"/> accepts,
    /// before that call reaches the store: a process that stalls there while others go on.
    /// </summary>
    public void BeforeNextCall(Func<StoreCall, string, bool> match, Func<Task> action)
    {
        lock (_gate)
        {
            _stall = (match, action);
        }
    }

    private async Task<Fault?> EnterAsync(StoreCall call, string key, CancellationToken cancellationToken)
    {
        Func<Task>? stall = null;
        lock (_gate)
        {
            if (_stall is { } s && s.Match(call, key))
            {
                stall = s.Action;
                _stall = null;
            }
        }

        if (stall is not null)
        {
            await stall();
        }

        await CountAsync(cancellationToken);
        Fault? fault = Decide(call, key);
        if (fault == Fault.FailBefore)
        {
            throw new InjectedFaultException(call, key, fault.Value);
        }

        return fault;
    }

    private static void RaiseMax(ref int max, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref max)) && Interlocked.CompareExchange(ref max, value, seen) != seen)
        {
        }
    }

    private async Task CountAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, cancellationToken);
        }

        for (int i = Reorder ? Random.Shared.Next(4) : 0; i > 0; i--)
        {
            await Task.Yield();
        }
    }

    private Fault? Decide(StoreCall call, string key)
    {
        Func<StoreCall, string, Fault?>? decide;
        lock (_gate)
        {
            decide = _decide;
        }

        return decide?.Invoke(call, key);
    }

    private static void ThrowIfAfter(Fault? fault, StoreCall call, string key)
    {
        if (fault == Fault.FailAfter)
        {
            throw new InjectedFaultException(call, key, Fault.FailAfter);
        }
    }
}

/// <summary>A failure the test asked for; transient, like a timeout.</summary>
public sealed class InjectedFaultException(StoreCall call, string key, Fault fault)
    : ObjectStoreException($"Injected {fault} on {call} '{key}'.", key, isTransient: true);
