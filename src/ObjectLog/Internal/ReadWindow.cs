using System.Buffers;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// Fetches the stored units of a plan ahead, in plan order, and hands their bytes out in that order, so reading many
/// objects costs about one round trip per <see cref="AppendLogOptions.ReadConcurrency"/> of them. A unit larger than
/// <see cref="AppendLogOptions.ReadPartBytes"/> is fetched as consecutive ranged GETs (parts) of that size. Units
/// without a key (memory) are skipped: the caller handles them.
/// </summary>
/// <remarks>
/// Invariants: the parts fetched and not yet handed out (in flight or done) number at most
/// <see cref="AppendLogOptions.ReadConcurrency"/> and hold at most <see cref="AppendLogOptions.ReadAheadBytes"/>,
/// except that one is always fetched however large it is. A fetch's failure surfaces from the
/// <see cref="NextAsync"/> that reaches its part, so everything before it is handed out first.
/// <see cref="DisposeAsync"/> cancels what is in flight and awaits it, so no failure goes unobserved and every
/// pooled buffer goes back.
/// </remarks>
internal sealed class ReadWindow : IAsyncDisposable
{
    /// <summary>How often a fetch that failed transiently is tried again before its failure is the read's.</summary>
    internal const int FetchRetries = 3;

    /// <summary>
    /// The pause before retry n (0-based) is this times 5ⁿ: 20, 100, 500 ms. A retry at once would meet the same
    /// broken connection or the same in-place rewrite again; with these pauses a fetch rides out about 0.6 s.
    /// </summary>
    private static readonly TimeSpan FetchRetryPause = TimeSpan.FromMilliseconds(20);

    private readonly IObjectStore _store;
    private readonly IReadOnlyList<ReadUnit> _units;
    private readonly int _concurrency;
    private readonly long _aheadBytes;
    private readonly int _partBytes;
    private readonly CancellationTokenSource _cts;
    private readonly Queue<Slot> _slots = new();
    private int _unit;
    private long _unitOffset; // where the next part of _units[_unit] starts, relative to the unit
    private long _bytesAhead;
    private byte[]? _held;
    private ListingPrefetch? _prefetch;

    /// <param name="store">Where the units are.</param>
    /// <param name="units">The plan.</param>
    /// <param name="options">The window's limits.</param>
    /// <param name="cancellationToken">Cancels every fetch.</param>
    /// <param name="prefetch">Fetches started during the listing, to take over where the plan reads those objects whole.</param>
    public ReadWindow(IObjectStore store, IReadOnlyList<ReadUnit> units, AppendLogOptions options, CancellationToken cancellationToken, ListingPrefetch? prefetch = null)
    {
        _prefetch = prefetch;
        _store = store;
        _units = units;
        _concurrency = options.ReadConcurrency;
        _aheadBytes = options.ReadAheadBytes;
        _partBytes = options.ReadPartBytes;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>The bytes of parts fetched (or being fetched) and not yet handed out.</summary>
    internal long BytesAhead => _bytesAhead;

    /// <summary>The next part in plan order; the previous part's bytes are released.</summary>
    /// <exception cref="InvalidOperationException">Every part has been handed out.</exception>
    public async ValueTask<ReadPart> NextAsync()
    {
        Release();
        Fill();
        if (_prefetch is { } prefetch)
        {
            prefetch.Abandon(); // the window is full: what it did not take, the plan reads later or not at all
        }

        if (!_slots.TryPeek(out Slot? head))
        {
            throw new InvalidOperationException("Every part of the plan has been read.");
        }

        Fetched body = await head.Body.ConfigureAwait(false); // on failure the slot stays queued; DisposeAsync observes it again
        _slots.Dequeue();
        _bytesAhead -= head.Size;
        _held = body.Buffer;
        Fill(); // only now, so the part just awaited counted against the limits while it was in flight
        return new ReadPart(head.Unit, head.IsLast, body.Buffer, body.Length);
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        if (_prefetch is not null)
        {
            await _prefetch.CancelAsync().ConfigureAwait(false); // also cancels the fetches the window took from it
            _prefetch = null;
        }

        foreach (Slot slot in _slots)
        {
            await ReturnWhenDoneAsync(slot.Body).ConfigureAwait(false);
        }

        _slots.Clear();
        Release();
        _cts.Dispose();
    }

    /// <summary>Awaits an abandoned fetch, swallowing its outcome, and returns its buffer to the pool.</summary>
    internal static async Task ReturnWhenDoneAsync(Task<Fetched> fetch)
    {
        try
        {
            Fetched body = await fetch.ConfigureAwait(false);
            ArrayPool<byte>.Shared.Return(body.Buffer);
        }
        catch (Exception)
        {
            // Abandoned read-ahead: its outcome no longer matters.
        }
    }

    /// <summary>
    /// Reads a whole object, or the part <paramref name="range"/> names, into a pooled buffer; <paramref name="expected"/>
    /// is the bytes the listing or the plan says it holds.
    /// </summary>
    /// <remarks>
    /// A transient failure is retried, from the start, after a growing pause, up to <see cref="FetchRetries"/> times: a body can break off
    /// mid-stream (a dropped connection, or a test server that rewrites an object in place while it is read) while
    /// the object itself is fine. A vanished object is not retried: the reader lists again instead.
    /// </remarks>
    internal static async Task<Fetched> FetchAsync(IObjectStore store, string key, ByteRange? range, long expected, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await FetchOnceAsync(store, key, range, expected, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectStoreException e) when (e.IsTransient && e is not ObjectNotFoundException && attempt < FetchRetries && !cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(FetchRetryPause * Math.Pow(5, attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<Fetched> FetchOnceAsync(IObjectStore store, string key, ByteRange? range, long expected, CancellationToken cancellationToken)
    {
        Stream stream = await store.GetAsync(key, range, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // A range never yields more than its length; a whole object gets one spare byte, so its end is seen
            // without growing the buffer when the listing's size is right (stored objects never change).
            int limit = range is null ? int.MaxValue : (int)expected;
            byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(expected + 1, Array.MaxLength));
            int length = 0;
            try
            {
                while (length < limit)
                {
                    if (length == buffer.Length)
                    {
                        byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * buffer.Length, Array.MaxLength));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    int read = await stream.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, limit) - length), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    length += read;
                }
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }

            return new Fetched(buffer, length);
        }
    }

    private void Release()
    {
        if (_held is not null)
        {
            ArrayPool<byte>.Shared.Return(_held);
            _held = null;
        }
    }

    /// <summary>Starts fetches in plan order while the limits allow, and always at least one.</summary>
    private void Fill()
    {
        while (NextPart() is var (unit, range, size, isLast))
        {
            if (_slots.Count > 0 && (_slots.Count >= _concurrency || _bytesAhead + size > _aheadBytes))
            {
                return;
            }

            Task<Fetched> body = _prefetch is not null && _prefetch.TryTake(unit.Key!, range, size, out Task<Fetched> started)
                ? started
                : FetchAsync(_store, unit.Key!, range, size, _cts.Token);
            _slots.Enqueue(new Slot(unit, isLast, size, body));
            _bytesAhead += size;
            if (isLast)
            {
                _unit++;
                _unitOffset = 0;
            }
            else
            {
                _unitOffset += size;
            }
        }
    }

    /// <summary>The next part to fetch, without taking it: its unit, the range to GET, its size, whether it ends its unit.</summary>
    private (ReadUnit Unit, ByteRange? Range, long Size, bool IsLast)? NextPart()
    {
        while (_unit < _units.Count && _units[_unit].Key is null)
        {
            _unit++;
        }

        if (_unit == _units.Count)
        {
            return null;
        }

        ReadUnit unit = _units[_unit];
        if (unit.Size <= _partBytes)
        {
            return (unit, unit.Range, unit.Size, true);
        }

        long size = Math.Min(_partBytes, unit.Size - _unitOffset);
        return (unit, new ByteRange((unit.Range?.Offset ?? 0) + _unitOffset, size), size, _unitOffset + size >= unit.Size);
    }

    private sealed record Slot(ReadUnit Unit, bool IsLast, long Size, Task<Fetched> Body);
}

/// <summary>Bytes fetched into a pooled buffer: the first <see cref="Length"/> bytes of <see cref="Buffer"/>.</summary>
internal readonly record struct Fetched(byte[] Buffer, int Length);
