using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using ObjectLog.Storage;
using ZstdSharp;

namespace ObjectLog.Internal;

/// <summary>
/// Encodes a batch's JSON Lines as one frame (a Zstandard frame or a gzip member) and decodes stored frames back,
/// within a bound. One frame a batch, so a merged object that concatenates its batches' frames is itself a valid
/// <c>.zst</c> or <c>.gz</c> file, and a manifest can locate each batch by its compressed byte range.
/// </summary>
/// <remarks>
/// Decoding never trusts a frame's own claims: output grows only as bytes come out, and stops with
/// <see cref="CorruptObjectException"/> at the bound, so a frame that inflates without end costs at most the bound in
/// memory. Anything the decoder refuses (a damaged or truncated frame, gzip under a <c>.zst</c> name) is also a
/// <see cref="CorruptObjectException"/> naming the key. Compressors and decompressors are kept one a thread: they
/// hold native-sized state that is costly to set up for every small batch.
/// </remarks>
internal static class FrameCodec
{
    /// <summary>zstd's own default level: at about 5.5× on log entries, with encoding far faster than a PUT.</summary>
    internal const int ZstdLevel = 3;

    [ThreadStatic]
    private static Compressor? t_compressor;

    [ThreadStatic]
    private static Decompressor? t_decompressor;

    [ThreadStatic]
    private static Decompressor? t_oneShot;

    /// <summary>One frame holding <paramref name="raw"/>, as <paramref name="encoding"/> (not <see cref="LogCompression.None"/>) says.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> raw, LogCompression encoding)
    {
        if (encoding == LogCompression.Zstd)
        {
            Compressor compressor = t_compressor ??= new Compressor(ZstdLevel);
            byte[] scratch = ArrayPool<byte>.Shared.Rent(Compressor.GetCompressBound(raw.Length));
            try
            {
                int length = compressor.Wrap(raw, scratch); // a one-shot frame records its content size in its header
                return scratch.AsSpan(0, length).ToArray();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        var output = new MemoryStream((raw.Length / 4) + 64);
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(raw);
        }

        return output.ToArray();
    }

    /// <summary>
    /// What a single frame says it decodes to (a Zstandard frame's header, a gzip member's trailer), to size the output
    /// at once; <see langword="null"/> when it does not say. Only a hint: decoding holds the frame to its bound whatever it says.
    /// </summary>
    public static long? SizeHint(ReadOnlySpan<byte> frame, LogCompression encoding)
    {
        if (encoding == LogCompression.Gzip)
        {
            return frame.Length >= 18 ? BinaryPrimitives.ReadUInt32LittleEndian(frame[^4..]) : null;
        }

        try
        {
            ulong size = Decompressor.GetDecompressedSize(frame);
            return size <= long.MaxValue ? (long)size : null;
        }
        catch (ZstdException)
        {
            return null; // no size in its header, or not a frame: decoding says which
        }
    }

    /// <summary>A stream of what <paramref name="stored"/> (which it disposes) decodes to, in constant memory: for counting, not for handing out events.</summary>
    public static Stream Decoding(Stream stored, LogCompression encoding) => encoding switch
    {
        LogCompression.Zstd => new DecompressionStream(stored, leaveOpen: false),
        LogCompression.Gzip => new GZipStream(stored, CompressionMode.Decompress, leaveOpen: false),
        _ => stored,
    };

    /// <summary>
    /// Decodes <paramref name="frames"/> (Zstandard: one frame or several back to back; gzip: exactly one member, a batch) into <paramref name="output"/>
    /// from <paramref name="written"/> on, growing it from the pool as needed; returns the new end.
    /// </summary>
    /// <param name="key">The object's key, for errors.</param>
    /// <param name="offset">Where <paramref name="frames"/> start in the object, for errors.</param>
    /// <param name="encoding">How the object's name says it is encoded.</param>
    /// <param name="frames">The stored bytes.</param>
    /// <param name="bound">The most bytes they may decode to.</param>
    /// <param name="output">A pooled buffer; replaced by a larger pooled one (the old one returned) when it fills.</param>
    /// <param name="written">How much of <paramref name="output"/> is in use.</param>
    /// <exception cref="CorruptObjectException">The bytes do not decode as <paramref name="encoding"/>, end inside a frame, or decode past <paramref name="bound"/>.</exception>
    public static int Decode(string key, long offset, LogCompression encoding, ReadOnlySpan<byte> frames, long bound, ref byte[] output, int written)
    {
        try
        {
            return encoding == LogCompression.Zstd
                ? DecodeZstd(key, offset, frames, bound, ref output, written)
                : DecodeGzip(key, offset, frames, bound, ref output, written);
        }
        catch (Exception e) when (e is ZstdException or InvalidDataException or EndOfStreamException)
        {
            string what = encoding == LogCompression.Zstd ? "Zstandard" : "gzip";
            throw new CorruptObjectException(key, $"its {frames.Length} bytes from byte {offset} are not sound {what} frames, as its name says they are ({e.Message})", e);
        }
    }

    private static int DecodeZstd(string key, long offset, ReadOnlySpan<byte> frames, long bound, ref byte[] output, int written)
    {
        // A single frame that states its size within the bound (every batch ObjectLog writes) decodes in one call, about
        // three times as fast for a batch of 32 entries as the stream below; anything else, or any doubt (a second
        // frame, damage), goes through the stream, which gives the verdict.
        if (SizeHint(frames, LogCompression.Zstd) is long size && size <= bound && written + size <= Array.MaxLength)
        {
            if (output.Length - written < size)
            {
                Resize(ref output, written, written + (int)size);
            }

            Decompressor oneShot = t_oneShot ??= new Decompressor();
            try
            {
                int produced = oneShot.Unwrap(frames, output.AsSpan(written, (int)size)); // TryUnwrap is three times slower
                if (produced == size)
                {
                    return written + produced;
                }
            }
            catch (ZstdException)
            {
            }
        }

        // Taken off the thread while in use: one left inside a frame (damage, truncation, the bound) must never decode
        // the next object, so only a decoder that finished cleanly goes back.
        Decompressor decompressor = t_decompressor ?? new Decompressor();
        t_decompressor = null;
        try
        {
            written = DecodeZstd(decompressor, key, offset, frames, bound, ref output, written);
        }
        catch
        {
            decompressor.Dispose();
            throw;
        }

        t_decompressor = decompressor;
        return written;
    }

    private static int DecodeZstd(Decompressor decompressor, string key, long offset, ReadOnlySpan<byte> frames, long bound, ref byte[] output, int written)
    {
        long limit = written + bound;
        bool inFrame = false;
        while (!frames.IsEmpty || inFrame)
        {
            if (written == output.Length)
            {
                Grow(ref output, written, limit, frames.Length);
            }

            OperationStatus status = decompressor.UnwrapStream(frames, output.AsSpan(written, Room(output, written, limit)), out int consumed, out int produced);
            frames = frames[consumed..];
            written += produced;
            if (written > limit)
            {
                throw PastBound(key, offset, bound);
            }

            if (status == OperationStatus.NeedMoreData && frames.IsEmpty)
            {
                throw new CorruptObjectException(key, $"its Zstandard frames from byte {offset} are truncated: their bytes end inside a frame");
            }

            if (status is not (OperationStatus.Done or OperationStatus.NeedMoreData or OperationStatus.DestinationTooSmall) || (consumed == 0 && produced == 0 && written < output.Length))
            {
                throw new CorruptObjectException(key, $"its Zstandard frames from byte {offset} do not decode ({status})");
            }

            inFrame = status != OperationStatus.Done;
        }

        return written;
    }

    private static int DecodeGzip(string key, long offset, ReadOnlySpan<byte> frames, long bound, ref byte[] output, int written)
    {
        long limit = written + bound;
        int start = written;
        unsafe
        {
            fixed (byte* bytes = frames)
            {
                using var input = new UnmanagedMemoryStream(bytes, frames.Length);
                using var gzip = new GZipStream(input, CompressionMode.Decompress); // reads every member, back to back
                while (true)
                {
                    if (written == output.Length)
                    {
                        Grow(ref output, written, limit, frames.Length);
                    }

                    int read = gzip.Read(output.AsSpan(written, Room(output, written, limit)));
                    if (read == 0)
                    {
                        CheckGzipTrailer(key, offset, frames, output.AsSpan(start, written - start));
                        return written;
                    }

                    written += read;
                    if (written > limit)
                    {
                        throw PastBound(key, offset, bound);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Checks that <paramref name="member"/> (one batch's frame: a single gzip member) ends with the trailer of what it
    /// decoded to, its CRC-32 and length. The platform's decoder stops quietly at the end of its input, so a member cut
    /// short anywhere would otherwise pass as a shorter batch.
    /// </summary>
    private static void CheckGzipTrailer(string key, long offset, ReadOnlySpan<byte> member, ReadOnlySpan<byte> decoded)
    {
        if (member.Length < 18
            || BinaryPrimitives.ReadUInt32LittleEndian(member[^8..]) != System.IO.Hashing.Crc32.HashToUInt32(decoded)
            || BinaryPrimitives.ReadUInt32LittleEndian(member[^4..]) != (uint)decoded.Length)
        {
            throw new CorruptObjectException(key, $"its gzip member from byte {offset} is truncated or damaged: it does not end with the CRC-32 and length of the {decoded.Length} bytes it decodes to");
        }
    }

    /// <summary>How much of <paramref name="output"/> after <paramref name="written"/> to decode into: to its end, and at most one byte past the bound, to see a frame that goes past it.</summary>
    private static int Room(byte[] output, int written, long limit) => (int)Math.Min(output.Length - written, limit + 1 - written);

    /// <summary>Replaces <paramref name="output"/> by a pooled buffer twice as large (at least a guess at the frames' size), within the bound.</summary>
    private static void Grow(ref byte[] output, int written, long limit, int stored)
    {
        long wanted = Math.Max(2L * output.Length, written + (4L * stored) + 4096);
        Resize(ref output, written, (int)Math.Min(Math.Min(wanted, limit + 1), Array.MaxLength));
    }

    /// <summary>Replaces the pooled <paramref name="output"/> by a pooled buffer of at least <paramref name="length"/> bytes holding its first <paramref name="written"/>.</summary>
    private static void Resize(ref byte[] output, int written, int length)
    {
        byte[] larger = ArrayPool<byte>.Shared.Rent(length);
        output.AsSpan(0, written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(output);
        output = larger;
    }

    private static CorruptObjectException PastBound(string key, long offset, long bound)
        => new(key, $"its frames from byte {offset} decode to more than {bound} bytes, the most they may hold");
}
