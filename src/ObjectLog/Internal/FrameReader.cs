using System.Buffers;

namespace ObjectLog.Internal;

/// <summary>
/// Checks and decodes one fetched part of a compressed unit: the step of the read path that turns stored frames back
/// into JSON Lines (list → plan → fetch window → <b>check and decode</b> → frame lines → events). The fetch window runs
/// it on the thread pool as each part arrives, so a read decodes its window's parts in parallel, on every core.
/// </summary>
/// <remarks>
/// <para>
/// Checksums cover the stored (compressed) bytes, so they are checked before anything is decoded: batch by batch
/// where the manifest gives the part's batches (each its own frame, located by its compressed range, decoding to
/// exactly the raw length the manifest lists), otherwise the whole unit (a batch object, one frame) against the
/// CRC-32C in its name, decoding to at most <see cref="AppendLogOptions.MaxDecodedFrameBytes"/>.
/// </para>
/// <para>
/// A damaged batch does not throw here: the part carries the decoded bytes of the batches before it and the failure,
/// so the plan reader hands out their events and then fails the read (<see cref="Fetched.Failure"/>).
/// </para>
/// </remarks>
internal static class FrameReader
{
    /// <summary>
    /// Decodes <paramref name="stored"/> (returned to the pool), the part of <paramref name="unit"/> that starts at
    /// <paramref name="partStart"/> in its object and holds exactly <paramref name="batches"/> (or the whole unit,
    /// when <see langword="null"/>).
    /// </summary>
    /// <param name="unit">The compressed unit.</param>
    /// <param name="batches">The batches the part holds, by the manifest; <see langword="null"/> for a unit read whole without one (a batch object).</param>
    /// <param name="partStart">Where the part starts in the object.</param>
    /// <param name="stored">The part's stored bytes, in a pooled buffer this takes over.</param>
    /// <param name="maxFrameBytes">The bound of a frame no manifest gives the size of.</param>
    /// <param name="keepFrames">Whether to hand back each passing batch's stored frame (<see cref="Fetched.Frames"/>), for a compaction to copy.</param>
    public static Fetched Decode(ReadUnit unit, IReadOnlyList<ManifestBatch>? batches, long partStart, Fetched stored, int maxFrameBytes, bool keepFrames = false)
    {
        List<StoredFrame>? frames = keepFrames ? [] : null;
        string key = unit.Key!;
        LogCompression encoding = unit.Encoding;
        ReadOnlySpan<byte> bytes = stored.Buffer.AsSpan(0, stored.Length);
        // Sized at once from the manifest, or the frame's own word within the bound (else a guess that grows): one
        // copy of the decoded bytes, not several.
        long decodedSize = batches?.Sum(b => b.Raw ?? 0) ?? (FrameCodec.SizeHint(bytes, encoding) is long hint && hint <= maxFrameBytes ? hint : 4L * bytes.Length);
        byte[] output = ArrayPool<byte>.Shared.Rent((int)Math.Max(4096, Math.Min(decodedSize, maxFrameBytes)));
        int written = 0;
        try
        {
            if (batches is null)
            {
                if (unit.Crc is { } crc && ChecksumCheck.Verify(key, partStart, bytes, crc) is { } mismatch)
                {
                    return new Fetched(output, 0, mismatch);
                }

                written = FrameCodec.Decode(key, partStart, encoding, bytes, maxFrameBytes, ref output, 0);
                if (unit.FirstBatch == unit.LastBatch && unit.Crc is { } passed)
                {
                    frames?.Add(new StoredFrame(unit.FirstBatch, encoding, bytes.ToArray(), passed, written)); // a batch object: one frame
                }

                return new Fetched(output, written, null, Frames: frames);
            }

            foreach (ManifestBatch batch in batches)
            {
                long at = batch.Offset - partStart;
                if (at + batch.Length > bytes.Length)
                {
                    return new Fetched(output, written, LineReader.FewerEvents(key, batch.Offset), Frames: frames);
                }

                ReadOnlySpan<byte> frame = bytes.Slice((int)at, (int)batch.Length);
                if (batch.Crc is { } expected && ChecksumCheck.Verify(key, batch.Offset, frame, expected) is { } mismatch)
                {
                    return new Fetched(output, written, mismatch, Frames: frames);
                }

                long raw = batch.Raw ?? maxFrameBytes;
                int end;
                try
                {
                    end = FrameCodec.Decode(key, batch.Offset, encoding, frame, raw, ref output, written);
                }
                catch (CorruptObjectException e)
                {
                    return new Fetched(output, written, e, Frames: frames);
                }

                if (batch.Raw is { } exact && end - written != exact)
                {
                    return new Fetched(output, written, new CorruptObjectException(key, $"its batch {batch.Name} (bytes {batch.Offset} to {batch.Offset + batch.Length}) decodes to {end - written} bytes, not the {exact} its manifest gives"), Frames: frames);
                }

                if (batch.Crc is { } passed)
                {
                    frames?.Add(new StoredFrame(batch.Name, encoding, frame.ToArray(), passed, end - written));
                }

                written = end;
            }

            long partEnd = batches.Count == 0 ? 0 : batches[^1].Offset + batches[^1].Length - partStart;
            return partEnd == bytes.Length
                ? new Fetched(output, written, null, Frames: frames)
                : new Fetched(output, written, new CorruptObjectException(key, $"it holds more bytes from byte {partStart + partEnd} than its manifest gives"), Frames: frames);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(output);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(stored.Buffer);
        }
    }
}
