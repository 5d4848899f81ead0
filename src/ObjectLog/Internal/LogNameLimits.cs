namespace ObjectLog.Internal;

/// <summary>
/// How long the names a log writes under its prefix get, so <see cref="Storage.ObjectKey.ValidateLogPrefix"/> can
/// refuse a prefix that leaves no room for them. Computed from <see cref="LogObjectName"/>'s own naming, so it
/// follows any change there.
/// </summary>
internal static class LogNameLimits
{
    /// <summary>
    /// The longest name a log writes, in characters (all ASCII, so also UTF-8 bytes): 146, the manifest of merged
    /// data with a checksum, <c>batch_{stem}~{stem}~{id:x16}.c{crc:x8}.manifest.json</c> with stems of
    /// 19 + 1 + 16 + 1 + 12 characters. A writer whose sequence passed 12 digits (10^12 batches) would write longer
    /// names.
    /// </summary>
    public static readonly int LongestName = Longest();

    private static int Longest()
    {
        string batch = LogObjectName.Batch(long.MaxValue, ulong.MaxValue, 999_999_999_999);
        string merged = LogObjectName.WithCrc(LogObjectName.Merged(batch, batch, ulong.MaxValue), uint.MaxValue);
        string[] names =
        [
            LogObjectName.WithCrc(batch, uint.MaxValue),
            merged,
            LogObjectName.ManifestFor(merged),
            LogObjectName.EndMarkerFor(merged),
            LogObjectName.Trim(long.MaxValue, ulong.MaxValue),
        ];
        return names.Max(n => n.Length);
    }
}
