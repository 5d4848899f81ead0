using System.IO.Hashing;

namespace ObjectLog.Internal;

/// <summary>
/// CRC-32C (Castagnoli), the checksum every batch and merged object carries: the one S3 verifies on upload
/// (<c>x-amz-checksum-crc32c</c>), computed with the processor's CRC instructions where it has them.
/// </summary>
internal static class Crc32C
{
    public static Crc32 Create() => new(Crc32ParameterSet.Crc32C);

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        Crc32 crc = Create();
        crc.Append(data);
        return crc.GetCurrentHashAsUInt32();
    }
}
