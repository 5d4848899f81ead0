using System.Buffers;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// Read path: list → plan → <b>fetch window</b> → frame and check lines → events. It takes a plan's units (and the
/// fetches a <see cref="ListingPrefetch"/> started for them) and hands out their bytes, a part at a time, to the
/// plan reader that owns it, which frames and checks them.
/// </summary>
/// <remarks>
/// Fetches the stored units of a plan ahead, in plan order, and hands their bytes out in that order, so reading many
/// objects costs about one round trip per <see cref="AppendLogOptions.ReadConcurrency"/> of them. A unit larger than
/// <see cref="AppendLogOptions.ReadPartBytes"/> is fetched as consecutive ranged GETs (parts) of that size. Units
/// without a key (memory) are skipped: the caller handles them.
/// Invariants: the parts fetched and not yet handed out (in flight or done) number at most
/// <see cref="AppendLogOptions.ReadConcurrency"/> and hold at most <see cref="AppendLogOptions.ReadAheadBytes"/>,
/// except that one is always fetched however large it is. A fetch's failure surfaces from the
/// <see cref="NextAsync"/> that reaches its part, so everything before it is handed out first.
/// <see cref="DisposeAsync"/> cancels what is in flight and awaits it, so no failure goes unobserved and every
/// pooled buffer goes back.
/// </remarks>
internal sealed class ReadWindow : IAsyncDisposable
{
    private readonly IObjectStore _store;
    private readonly IReadOnlyList<ReadUnit> _units;
    private readonly int _concurrency;
    private readonly long _aheadBytes;
    private readonly int _partBytes;
    private readonly CancellationTokenSource _cts;
    private readonly Queue<Slot> _slots = new();
    private readonly int _maxFrameBytes;
    private readonly bool _keepFrames;
    private int _unit;
    private int _unitBatch; // for a compressed unit read by its manifest: its first batch not yet fetched
    private long _unitOffset; // where the next part of _units[_unit] starts, relative to the unit
    private long _bytesAhead;
    private byte[]? _held;
    private ListingPrefetch? _prefetch;

    /// <param name="store">Where the units are.</param>
    /// <param name="units">The plan.</param>
    /// <param name="options">The window's limits.</param>
    /// <param name="cancellationToken">Cancels every fetch.</param>
    /// <param name="prefetch">Fetches started during the listing, to take over where the plan reads those objects whole.</param>
    /// <param name="keepFrames">Whether compressed parts carry their stored frames (<see cref="ReadPart.Frames"/>), for a compaction to copy.</param>
    public ReadWindow(IObjectStore store, IReadOnlyList<ReadUnit> units, AppendLogOptions options, CancellationToken cancellationToken, ListingPrefetch? prefetch = null, bool keepFrames = false)
    {
        _keepFrames = keepFrames;
        _prefetch = prefetch;
        _store = store;
        _units = units;
        _concurrency = options.ReadConcurrency;
        _aheadBytes = options.ReadAheadBytes;
        _partBytes = options.ReadPartBytes;
        _maxFrameBytes = options.MaxDecodedFrameBytes;
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
        return new ReadPart(head.Unit, head.IsLast, body.Buffer, body.Length, body.Failure, body.Checked, body.Frames);
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
            await ObjectFetch.ReturnWhenDoneAsync(slot.Body).ConfigureAwait(false);
        }

        _slots.Clear();
        Release();
        _cts.Dispose();
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
        while (NextPart() is var (unit, range, size, isLast, batches))
        {
            if (_slots.Count > 0 && (_slots.Count >= _concurrency || _bytesAhead + size > _aheadBytes))
            {
                return;
            }

            Task<Fetched> body = _prefetch is not null && _prefetch.TryTake(unit.Key!, range, size, out Task<Fetched> started)
                ? started
                : ObjectFetch.FetchAsync(_store, unit.Key!, range, size, _cts.Token);
            if (unit.Encoding != LogCompression.None)
            {
                body = DecodeAsync(body, unit, batches, range?.Offset ?? 0);
            }
            else if (isLast && size == unit.Size && size >= ParallelCheckBytes && !unit.ChecksumsBatches && unit.Crc is { } crc)
            {
                body = CheckAsync(body, unit.Key!, range?.Offset ?? 0, crc);
            }

            _slots.Enqueue(new Slot(unit, isLast, size, body));
            _bytesAhead += size;
            if (isLast)
            {
                _unit++;
                _unitOffset = 0;
                _unitBatch = 0;
            }
            else
            {
                _unitOffset += size;
                _unitBatch += batches?.Count ?? 0;
            }
        }
    }

    /// <summary>
    /// The next part to fetch, without taking it: its unit, the range to GET, its size, whether it ends its unit, and
    /// for a compressed unit with a manifest, the batches it holds.
    /// </summary>
    /// <remarks>
    /// A compressed unit's parts hold whole frames, so each can be checked and decoded on its own: consecutive batches
    /// up to the part size (at least one, however large), or, without a manifest (a batch object), the whole unit.
    /// </remarks>
    private (ReadUnit Unit, ByteRange? Range, long Size, bool IsLast, IReadOnlyList<ManifestBatch>? Batches)? NextPart()
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
        if (unit.Encoding != LogCompression.None && unit.Batches is { } held)
        {
            int count = 1;
            long bytes = held[_unitBatch].Length;
            while (_unitBatch + count < held.Count && bytes + held[_unitBatch + count].Length <= _partBytes)
            {
                bytes += held[_unitBatch + count++].Length;
            }

            bool whole = count == held.Count;
            bool last = _unitBatch + count == held.Count;
            IReadOnlyList<ManifestBatch> run = whole ? held : [.. held.Skip(_unitBatch).Take(count)];
            return (unit, whole ? unit.Range : new ByteRange(held[_unitBatch].Offset, bytes), bytes, last, run);
        }

        if (unit.Size <= _partBytes || unit.Encoding != LogCompression.None)
        {
            return (unit, unit.Range, unit.Size, true, null);
        }

        long size = Math.Min(_partBytes, unit.Size - _unitOffset);
        return (unit, new ByteRange((unit.Range?.Offset ?? 0) + _unitOffset, size), size, _unitOffset + size >= unit.Size, null);
    }

    /// <summary>
    /// Plain units read whole in one part from this size on are checked against their checksum on the thread pool as
    /// they arrive, in parallel with the framing of the units before them; smaller ones by the plan reader, where a
    /// task would cost more than the check.
    /// </summary>
    private const int ParallelCheckBytes = 64 * 1024;

    /// <summary>Checks a plain unit read whole against <paramref name="crc"/> once it is fetched, on the thread pool.</summary>
    private static async Task<Fetched> CheckAsync(Task<Fetched> fetch, string key, long offset, uint crc)
    {
        Fetched stored = await fetch.ConfigureAwait(false);
        return await Task.Run(
            () =>
            {
                return stored with { Checked = true, Failure = ChecksumCheck.Verify(key, offset, stored.Buffer.AsSpan(0, stored.Length), crc) };
            },
            CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Checks and decodes a compressed part once it is fetched, on the thread pool, so parts decode in parallel.</summary>
    private async Task<Fetched> DecodeAsync(Task<Fetched> fetch, ReadUnit unit, IReadOnlyList<ManifestBatch>? batches, long partStart)
    {
        Fetched stored = await fetch.ConfigureAwait(false);
        int maxFrameBytes = _maxFrameBytes;
        bool keepFrames = _keepFrames;
        return await Task.Run(() => FrameReader.Decode(unit, batches, partStart, stored, maxFrameBytes, keepFrames), CancellationToken.None).ConfigureAwait(false);
    }

    private sealed record Slot(ReadUnit Unit, bool IsLast, long Size, Task<Fetched> Body);
}
