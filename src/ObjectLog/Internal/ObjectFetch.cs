using System.Buffers;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// One GET of a whole object or a byte range into a pooled buffer, retried when it fails transiently: the request
/// under the fetch step of the read path (list → plan → <b>fetch</b> → frame and check lines → events), shared by the
/// fetches started while the listing arrives and the fetch window's, in plan order. It knows no plan.
/// </summary>
internal static class ObjectFetch
{
    /// <summary>How often a fetch that failed transiently is tried again before its failure is the read's.</summary>
    internal const int Retries = 3;

    /// <summary>
    /// The pause before retry n (0-based) is this times 5ⁿ: 20, 100, 500 ms. A retry at once would meet the same
    /// broken connection or the same in-place rewrite again; with these pauses a fetch rides out about 0.6 s.
    /// </summary>
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(20);

    /// <summary>Awaits an abandoned fetch, swallowing its outcome, and returns its buffer to the pool.</summary>
    public static async Task ReturnWhenDoneAsync(Task<Fetched> fetch)
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
    /// A transient failure is retried, from the start, after a growing pause, up to <see cref="Retries"/> times: a body can break off
    /// mid-stream (a dropped connection, or a test server that rewrites an object in place while it is read) while
    /// the object itself is fine. A vanished object is not retried: the reader lists again instead.
    /// </remarks>
    public static async Task<Fetched> FetchAsync(IObjectStore store, string key, ByteRange? range, long expected, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await FetchOnceAsync(store, key, range, expected, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectStoreException e) when (e.IsTransient && e is not ObjectNotFoundException && attempt < Retries && !cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(RetryPause * Math.Pow(5, attempt), cancellationToken).ConfigureAwait(false);
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
}

/// <summary>
/// Bytes fetched (or decoded) into a pooled buffer: the first <see cref="Length"/> bytes of <see cref="Buffer"/>; and,
/// for a decoded part, the damage found after them, if any (<see cref="FrameReader"/>), which fails the read once
/// their events are handed out.
/// </summary>
/// <remarks>
/// <see cref="Checked"/>: the bytes already passed the unit's checksum (or failed it, with <see cref="Failure"/>) on
/// the thread pool, so the plan reader does not check them again.
/// </remarks>
/// <see cref="Frames"/>: for a compaction, the stored frames of the compressed batches that passed, to copy as they are.
internal readonly record struct Fetched(byte[] Buffer, int Length, CorruptObjectException? Failure = null, bool Checked = false, IReadOnlyList<StoredFrame>? Frames = null);

/// <summary>
/// One compressed batch's frame as stored, checked against its checksum: a compaction writing the same encoding copies
/// it into the merged object as it is, with its CRC-32C and the size it decodes to, instead of compressing it again.
/// </summary>
internal sealed record StoredFrame(string Batch, LogCompression Encoding, ReadOnlyMemory<byte> Bytes, uint Crc, int Raw);
