using System.Globalization;
using System.Text.RegularExpressions;

namespace ObjectLog.Internal;

/// <summary>What an object under a log prefix is, judged by its name alone.</summary>
internal enum LogObjectKind
{
    /// <summary>One flushed batch: <c>batch_{µs:D19}-{writer:x16}-{seq:D12}.c{crc:x8}.jsonl</c>, without the checksum if written before checksums, or the original design's <c>batch_{µs:D19}.jsonl</c>.</summary>
    Batch,

    /// <summary>Merged data: <c>batch_{first}~{last}~{id:x16}.c{crc:x8}.jsonl</c> (no checksum if written before checksums), where first and last are the stems of the batches it holds.</summary>
    Merged,

    /// <summary>The commit record of merged data: the same name ending <c>.manifest.json</c>.</summary>
    Manifest,

    /// <summary>
    /// The end marker of merged data: <c>batch_{last}~{first}~{id:x16}.end.json</c>. It sorts where the merged object's
    /// last batch sorts, so a listing that starts after a floor finds every merged object holding batches past it.
    /// </summary>
    EndMarker,

    /// <summary>A trim record: <c>trim_{µs:D19}-{id:x16}.json</c>; every batch before the cutoff µs is gone for readers.</summary>
    Trim,
}

/// <summary>
/// The naming scheme of a log's objects. Batch names are the log's order: ordinal comparison of two batch
/// names is the order of their events. Names the scheme does not match are not ObjectLog's and are ignored.
/// </summary>
/// <remarks>
/// A name is the log's only if every digit in it is an ASCII digit, nothing follows its extension (not even a
/// newline), and every time in it (<c>µs</c>, 19 digits) is at most <see cref="MaxMicroseconds"/>, the last
/// microsecond a <see cref="DateTimeOffset"/> holds. So whatever reads a number or a time out of an accepted name
/// (<see cref="TimeOf"/>, <see cref="LogPosition.BatchTime"/>) cannot fail.
/// </remarks>
/// <param name="Kind">What the object is.</param>
/// <param name="First">For a batch, its own name; for merged data, a manifest or an end marker, the first batch it holds; for a trim record, <see cref="FloorAt"/> its cutoff.</param>
/// <param name="Last">For a batch, its own name; for merged data, a manifest or an end marker, the last batch it holds; for a trim record, as <paramref name="First"/>.</param>
/// <param name="DataName">For merged data, a manifest or an end marker, the name of the merged data object; otherwise the object's own name.</param>
/// <param name="Crc">
/// For a batch, merged data, a manifest or an end marker: the CRC-32C of the data object's bytes, when its name
/// carries one (<c>.c{crc:x8}</c> before the extension); <see langword="null"/> for objects written before checksums.
/// </param>
/// <remarks>
/// A batch's identity is its name without the checksum (<see cref="First"/>, <c>batch_{stem}.jsonl</c>): that is
/// what orders the log, what manifests, positions and end markers refer to, and what a writer knows before its
/// bytes are fixed. The key it is stored under is <see cref="DataName"/>.
/// </remarks>
/// <param name="Encoding">
/// For a batch, merged data, a manifest or an end marker: how the data object's bytes are encoded, by its name
/// (<c>.jsonl</c>, <c>.jsonl.gz</c>, <c>.jsonl.zst</c>; a manifest's or marker's <c>.gz</c>/<c>.zst</c> before
/// <c>.manifest.json</c>/<c>.end.json</c>). A compressed name always carries a checksum.
/// </param>
internal readonly partial record struct LogObjectName(LogObjectKind Kind, string First, string Last, string DataName, uint? Crc = null, LogCompression Encoding = LogCompression.None)
{
    private const string BatchStart = "batch_";
    private const string DataEnd = ".jsonl";
    private const string ManifestEnd = ".manifest.json";
    private const string EndMarkerEnd = ".end.json";
    private const string TrimStart = "trim_";
    private const string CrcStart = ".c";
    private const string GzipEnd = ".gz";
    private const string ZstdEnd = ".zst";

    /// <summary>What every trim record's name starts with; it sorts after every batch name.</summary>
    public const string TrimPrefix = TrimStart;

    /// <summary>
    /// The latest time a name can carry, in microseconds since 1970: 9999-12-31T23:59:59.999999Z, the last microsecond
    /// of <see cref="DateTimeOffset.MaxValue"/>. A name with a later time (up to 19 nines) is not the log's.
    /// </summary>
    public const long MaxMicroseconds = 253_402_300_799_999_999;

    /// <summary><see cref="MaxMicroseconds"/> as a name writes it: 19 digits, so text order is number order.</summary>
    private const string MaxMicrosecondsDigits = "0253402300799999999";

    /// <summary><see cref="MaxMicroseconds"/> as a time, for messages.</summary>
    internal const string MaxTimeText = "9999-12-31T23:59:59.999999Z";

    public static bool TryParse(string name, out LogObjectName parsed)
    {
        parsed = default;
        if (name.StartsWith(TrimStart, StringComparison.Ordinal))
        {
            Match t = TrimPattern().Match(name);
            if (!t.Success || !Representable(t.Groups[1]))
            {
                return false;
            }

            string floor = BatchStart + t.Groups[1].Value;
            parsed = new LogObjectName(LogObjectKind.Trim, floor, floor, name);
            return true;
        }

        if (!name.StartsWith(BatchStart, StringComparison.Ordinal))
        {
            return false;
        }

        Match e = EndMarkerPattern().Match(name);
        if (e.Success)
        {
            if (!Representable(e.Groups[1]) || !Representable(e.Groups[2]))
            {
                return false;
            }

            string lastBatch = BatchStart + e.Groups[1].Value + DataEnd;
            string firstBatch = BatchStart + e.Groups[2].Value + DataEnd;
            if (string.CompareOrdinal(firstBatch, lastBatch) > 0)
            {
                return false;
            }

            LogCompression markerEncoding = EncodingOf(e.Groups[5]);
            if (!e.Groups[4].Success && markerEncoding != LogCompression.None)
            {
                return false;
            }

            parsed = new LogObjectName(LogObjectKind.EndMarker, firstBatch, lastBatch, $"{BatchStart}{e.Groups[2].Value}~{e.Groups[1].Value}~{e.Groups[3].Value}{e.Groups[4].Value}{DataEnd}{e.Groups[5].Value}", ParseCrc(e.Groups[4]), markerEncoding);
            return true;
        }

        Match b = BatchPattern().Match(name);
        if (b.Success)
        {
            LogCompression batchEncoding = EncodingOf(b.Groups[3]);
            if (!Representable(b.Groups[1]) || (!b.Groups[2].Success && batchEncoding != LogCompression.None))
            {
                return false;
            }

            string batch = b.Groups[2].Success ? BatchStart + b.Groups[1].Value + DataEnd : name;
            parsed = new LogObjectName(LogObjectKind.Batch, batch, batch, name, ParseCrc(b.Groups[2]), batchEncoding);
            return true;
        }

        Match m = MergedPattern().Match(name);
        if (!m.Success || !Representable(m.Groups[1]) || !Representable(m.Groups[2]))
        {
            return false;
        }

        string first = BatchStart + m.Groups[1].Value + DataEnd;
        string last = BatchStart + m.Groups[2].Value + DataEnd;
        if (string.CompareOrdinal(first, last) > 0)
        {
            return false;
        }

        bool manifest = m.Groups[7].Success;
        LogCompression encoding = EncodingOf(manifest ? m.Groups[6] : m.Groups[5]);
        if (!m.Groups[4].Success && encoding != LogCompression.None)
        {
            return false;
        }

        string dataName = manifest ? $"{name.AsSpan(0, name.Length - ManifestEnd.Length - m.Groups[6].Length)}{DataEnd}{m.Groups[6].Value}" : name;
        parsed = new LogObjectName(manifest ? LogObjectKind.Manifest : LogObjectKind.Merged, first, last, dataName, ParseCrc(m.Groups[4]), encoding);
        return true;
    }

    /// <summary>
    /// The key of a batch or merged data object named <paramref name="dataName"/> (which carries no checksum or
    /// encoding yet) whose stored bytes, encoded as <paramref name="encoding"/> says, have CRC-32C <paramref name="crc"/>.
    /// </summary>
    public static string WithCrc(string dataName, uint crc, LogCompression encoding = LogCompression.None)
        => string.Create(CultureInfo.InvariantCulture, $"{dataName.AsSpan(0, dataName.Length - DataEnd.Length)}{CrcStart}{crc:x8}{DataEnd}{Extension(encoding)}");

    /// <summary>What a data object's name adds after <c>.jsonl</c> for <paramref name="encoding"/>: nothing, <c>.gz</c> or <c>.zst</c>.</summary>
    public static string Extension(LogCompression encoding) => encoding switch
    {
        LogCompression.Gzip => GzipEnd,
        LogCompression.Zstd => ZstdEnd,
        _ => "",
    };

    /// <summary>How the data object <paramref name="key"/> (a batch's or merged data's key, with or without a prefix) is encoded, by its name's ending.</summary>
    public static LogCompression EncodingOfData(string key)
        => key.EndsWith(DataEnd + ZstdEnd, StringComparison.Ordinal) ? LogCompression.Zstd
        : key.EndsWith(DataEnd + GzipEnd, StringComparison.Ordinal) ? LogCompression.Gzip
        : LogCompression.None;

    /// <summary>
    /// What a data object's key and its manifest's key share and no other key of the log starts with: the key up to
    /// the checksum's end and its dot, <c>….c{crc:x8}.</c> (a listing from it returns both and nothing else of the log's).
    /// </summary>
    public static string CommitPrefix(string dataKey) => dataKey[..(dataKey.LastIndexOf(DataEnd, StringComparison.Ordinal) + 1)];

    /// <summary>The name of a new batch. Fixed widths make text order equal time, then writer, then sequence order.</summary>
    public static string Batch(long epochMicroseconds, ulong writerId, long sequence)
        => string.Create(CultureInfo.InvariantCulture, $"{BatchStart}{epochMicroseconds:D19}-{writerId:x16}-{sequence:D12}{DataEnd}");

    public static string Merged(string firstBatch, string lastBatch, ulong id)
        => string.Create(CultureInfo.InvariantCulture, $"{BatchStart}{Stem(firstBatch)}~{Stem(lastBatch)}~{id:x16}{DataEnd}");

    /// <summary>
    /// Why <paramref name="name"/> is not a batch's name, as a phrase for a message; <see langword="null"/> if it is one.
    /// </summary>
    public static string? WhyNotABatch(string name)
    {
        if (TryParse(name, out LogObjectName parsed) && parsed.Kind == LogObjectKind.Batch)
        {
            return null;
        }

        Match b = BatchPattern().Match(name);
        return b.Success && !Representable(b.Groups[1])
            ? $"its batch's time, {b.Groups[1].ValueSpan[..19]} µs since 1970, is after {MaxTimeText}, the latest a log's names can carry"
            : $"'{name}' is not a batch name (batch_<19 digits>[-<writer>-<sequence>][.c<crc>].jsonl[.gz|.zst])";
    }

    /// <summary>
    /// The time in a batch name (the writer's clock when the batch's first event was appended), or in a
    /// <see cref="FloorAt"/> string: for any name <see cref="TryParse"/> accepted, at most <see cref="MaxMicroseconds"/>.
    /// </summary>
    public static DateTimeOffset TimeOf(string batchName)
        => DateTimeOffset.UnixEpoch.AddTicks(long.Parse(batchName.AsSpan(BatchStart.Length, 19), NumberStyles.None, CultureInfo.InvariantCulture) * 10);

    /// <summary>A name that sorts before every batch name of <paramref name="time"/> or later (and after every earlier one).</summary>
    public static string FloorAt(DateTimeOffset time)
        => string.Create(CultureInfo.InvariantCulture, $"{BatchStart}{Microseconds(time):D19}");

    /// <summary>The manifest of merged data named <paramref name="mergedName"/>: <c>….c{crc}{.gz|.zst}.manifest.json</c>.</summary>
    public static string ManifestFor(string mergedName)
    {
        string extension = Extension(EncodingOfData(mergedName));
        return mergedName[..^(DataEnd.Length + extension.Length)] + extension + ManifestEnd;
    }

    /// <summary>The end marker of merged data named <paramref name="mergedName"/>: its last stem first, so it sorts at its last batch.</summary>
    public static string EndMarkerFor(string mergedName)
    {
        string extension = Extension(EncodingOfData(mergedName));
        string[] parts = mergedName[BatchStart.Length..^(DataEnd.Length + extension.Length)].Split('~');
        return $"{BatchStart}{parts[1]}~{parts[0]}~{parts[2]}{extension}{EndMarkerEnd}";
    }

    /// <summary>The name of a trim record whose cutoff is <paramref name="cutoffMicroseconds"/> since 1970.</summary>
    public static string Trim(long cutoffMicroseconds, ulong id)
        => string.Create(CultureInfo.InvariantCulture, $"{TrimStart}{cutoffMicroseconds:D19}-{id:x16}.json");

    /// <summary>Microseconds since 1970 of <paramref name="time"/>, rounded down, as batch names carry them.</summary>
    public static long Microseconds(DateTimeOffset time) => Math.Max(0, (time - DateTimeOffset.UnixEpoch).Ticks / 10);

    private static string Stem(string batchName) => batchName[BatchStart.Length..^DataEnd.Length];

    /// <summary>
    /// The checksum in the name of a batch or merged data object that <see cref="TryParse"/> accepted, read straight
    /// from its <c>.c{crc:x8}.jsonl</c> ending (no stem has a dot, so the ending is unambiguous).
    /// </summary>
    public static uint? CrcOfData(string name)
    {
        int end = DataEnd.Length + Extension(EncodingOfData(name)).Length;
        return name.Length > end + 10 && name.AsSpan(name.Length - end - 10, 2).SequenceEqual(CrcStart)
            && uint.TryParse(name.AsSpan(name.Length - end - 8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint crc)
                ? crc
                : null;
    }

    /// <summary>Whether the time that <paramref name="stem"/> (a matched stem) starts with is at most <see cref="MaxMicroseconds"/>: its 19 ASCII digits compare as text.</summary>
    private static bool Representable(Group stem) => stem.ValueSpan[..19].SequenceCompareTo(MaxMicrosecondsDigits) <= 0;

    private static LogCompression EncodingOf(Group extension)
        => extension.Value switch { GzipEnd => LogCompression.Gzip, ZstdEnd => LogCompression.Zstd, _ => LogCompression.None };

    private static uint? ParseCrc(Group group)
        => group.Success ? uint.Parse(group.ValueSpan[CrcStart.Length..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture) : null;

    // ASCII digits only ([0-9], never \d, which matches every Unicode decimal digit), and \z, never $, which also
    // matches before a final newline.
    [GeneratedRegex(@"^batch_([0-9]{19}(?:-[0-9a-f]{16}-[0-9]{12})?)(\.c[0-9a-f]{8})?\.jsonl(\.gz|\.zst)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex BatchPattern();

    [GeneratedRegex(@"^batch_([0-9]{19}(?:-[0-9a-f]{16}-[0-9]{12})?)~([0-9]{19}(?:-[0-9a-f]{16}-[0-9]{12})?)~([0-9a-f]{16})(\.c[0-9a-f]{8})?(?:\.jsonl(\.gz|\.zst)?|(\.gz|\.zst)?(\.manifest\.json))\z", RegexOptions.CultureInvariant)]
    private static partial Regex MergedPattern();

    [GeneratedRegex(@"^batch_([0-9]{19}(?:-[0-9a-f]{16}-[0-9]{12})?)~([0-9]{19}(?:-[0-9a-f]{16}-[0-9]{12})?)~([0-9a-f]{16})(\.c[0-9a-f]{8})?(\.gz|\.zst)?\.end\.json\z", RegexOptions.CultureInvariant)]
    private static partial Regex EndMarkerPattern();

    [GeneratedRegex(@"^trim_([0-9]{19})-[0-9a-f]{16}\.json\z", RegexOptions.CultureInvariant)]
    private static partial Regex TrimPattern();
}
