using System.Buffers.Binary;
using System.Net;
using Amazon.S3;

namespace ObjectLog.S3;

/// <summary>
/// Whether a store's single-request PUTs carry the object's CRC-32C as <c>x-amz-checksum-crc32c</c>, for the server to
/// check against the bytes it received (<see cref="S3ObjectStoreOptions.SendChecksums"/>). A compatible server that
/// does not know the header refuses the request, storing nothing: the store then asks again without it and stops
/// sending it for good.
/// </summary>
internal sealed class S3ChecksumNegotiation(bool send)
{
    private bool _send = send;

    /// <summary>Whether the next PUT sends <paramref name="crc32C"/>: there is one, and no server refused the header yet.</summary>
    public bool ShouldSend(uint? crc32C) => crc32C is not null && Volatile.Read(ref _send);

    /// <summary>A server refused the header (<see cref="IsUnsupported"/>): send it no more.</summary>
    public void StopSending() => Volatile.Write(ref _send, false);

    /// <summary>A CRC-32C as S3 wants it in <c>x-amz-checksum-crc32c</c>: its four bytes, big-endian, in base64.</summary>
    internal static string Encode(uint crc)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, crc);
        return Convert.ToBase64String(bytes);
    }

    /// <summary>How a server that does not implement flexible checksums refuses a PUT carrying one.</summary>
    internal static bool IsUnsupported(AmazonS3Exception e)
        => e.StatusCode is HttpStatusCode.NotImplemented
            || (e.StatusCode is HttpStatusCode.BadRequest && e.ErrorCode is "InvalidArgument" or "InvalidRequest" or "NotImplemented"
                && e.Message.Contains("checksum", StringComparison.OrdinalIgnoreCase));

    /// <summary>How a server that checked the checksum refuses bytes that do not match it.</summary>
    internal static bool IsMismatch(AmazonS3Exception e) => e.ErrorCode is "BadDigest" or "InvalidDigest" or "XAmzContentChecksumMismatch";
}
