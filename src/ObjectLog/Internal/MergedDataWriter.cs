using System.Buffers;
using System.IO.Hashing;

namespace ObjectLog.Internal;

/// <summary>
/// Writes a compaction's merged data: the events of the batches it read, in log order, batch by batch, each batch
/// as plain JSON Lines or as one compressed frame (the compactor's <see cref="AppendLogOptions.Compression"/>, whatever
/// the inputs were), and records where each batch lands for the manifest.
/// </summary>
/// <remarks>
/// Checksums are computed here, once, over the bytes as they are stored: each batch's and the whole object's. The plan
/// reader checked the inputs' own before handing out their events, so damage is never copied under a fresh checksum.
/// A batch's events are held until the next batch starts (a batch is at most what one writer sealed, a few MiB), so a
/// frame is compressed from all of its bytes at once. A batch read from a frame of this writer's encoding is not
/// compressed again: its stored frame, checked as it was read, is copied as it is, with its CRC-32C, so a merged
/// object is its batches' frames back to back and a batch keeps its checksum through every merge.
/// </remarks>
internal sealed class MergedDataWriter(Stream spool, LogCompression encoding)
{
    private readonly Crc32 _whole = Crc32C.Create();
    private readonly ArrayBufferWriter<byte> _batch = new();
    private readonly Dictionary<string, StoredFrame> _frames = new(StringComparer.Ordinal); // read, not yet written
    private ManifestBatch? _current;

    /// <summary>The batches written so far, in log order, each with its offset, stored length, CRC-32C and (compressed) raw length.</summary>
    public List<ManifestBatch> Batches { get; } = [];

    /// <summary>
    /// Takes the next events, in log order, and the stored frames read with them (<paramref name="frames"/>, emptied:
    /// those of this encoding are copied rather than compressed again); a batch whose events all came is written when
    /// the next one starts.
    /// </summary>
    public async ValueTask AddAsync(List<PlannedEvent> events, List<StoredFrame> frames, CancellationToken cancellationToken)
    {
        foreach (StoredFrame frame in frames)
        {
            if (frame.Encoding == encoding)
            {
                _frames[frame.Batch] = frame;
            }
        }

        frames.Clear();
        foreach (PlannedEvent e in events)
        {
            if (_current is null || _current.Name != e.Batch)
            {
                await FinishBatchAsync(cancellationToken).ConfigureAwait(false);
                _current = new ManifestBatch { Name = e.Batch! }; // every manifest is loaded: batches are known
            }

            _batch.Write(e.Data);
            _batch.Write("\n"u8);
            _current.Lines++;
        }
    }

    /// <summary>Writes the last batch; returns the CRC-32C of the whole merged object.</summary>
    public async ValueTask<uint> CompleteAsync(CancellationToken cancellationToken)
    {
        await FinishBatchAsync(cancellationToken).ConfigureAwait(false);
        return _whole.GetCurrentHashAsUInt32();
    }

    private async ValueTask FinishBatchAsync(CancellationToken cancellationToken)
    {
        if (_current is null)
        {
            return;
        }

        ReadOnlyMemory<byte> stored;
        if (_frames.Remove(_current.Name, out StoredFrame? frame) && frame.Raw == _batch.WrittenCount)
        {
            stored = frame.Bytes;
            _current.Crc = frame.Crc;
        }
        else
        {
            stored = encoding == LogCompression.None ? _batch.WrittenMemory : FrameCodec.Encode(_batch.WrittenSpan, encoding);
            _current.Crc = Crc32C.Compute(stored.Span);
        }

        _current.Offset = spool.Position;
        _current.Length = stored.Length;
        _current.Raw = encoding == LogCompression.None ? null : _batch.WrittenCount;
        _whole.Append(stored.Span);
        await spool.WriteAsync(stored, cancellationToken).ConfigureAwait(false);
        Batches.Add(_current);
        _current = null;
        _batch.ResetWrittenCount();
    }
}
