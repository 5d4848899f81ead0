namespace ObjectLog.Internal;

/// <summary>
/// How long the names a log writes under its prefix get, so <see cref="Storage.ObjectKey.ValidateLogPrefix"/> can
/// refuse a prefix that leaves no room for them. Computed from <see cref="LogObjectName"/>'s own naming, so it
/// follows any change there.
/// </summary>
internal static class LogNameLimits
{
    /// <summary>
    /// The longest name a log writes, in characters (all ASCII, so also UTF-8 bytes): 150, the manifest of compressed
    /// merged data, <c>batch_{stem}~{stem}~{id:x16}.c{crc:x8}.zst.manifest.json</c> with stems of 19 + 1 + 16 + 1 + 12
    /// characters. A writer whose sequence passed 12 digits (10^12 batches) would write longer names.
    /// </summary>
    public static readonly int LongestName = Longest();

    private static int Longest()
    {
        string batch = LogObjectName.Batch(long.MaxValue, ulong.MaxValue, 999_999_999_999);
        var names = new List<string> { LogObjectName.Trim(long.MaxValue, ulong.MaxValue) };
        foreach (LogCompression encoding in Enum.GetValues<LogCompression>())
        {
            string merged = LogObjectName.WithCrc(LogObjectName.Merged(batch, batch, ulong.MaxValue), uint.MaxValue, encoding);
            names.AddRange([LogObjectName.WithCrc(batch, uint.MaxValue, encoding), merged, LogObjectName.ManifestFor(merged), LogObjectName.EndMarkerFor(merged)]);
        }

        return names.Max(n => n.Length);
    }
}
