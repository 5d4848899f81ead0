using System.Globalization;
using System.Text.RegularExpressions;

namespace ObjectLog.Internal;

/// <summary>What an object under a log prefix is, judged by its name alone.</summary>
internal enum LogObjectKind
{
    /// <summary>One flushed batch: <c>batch_{µs:D19}-{writer:x16}-{seq:D12}.jsonl</c>, or the original design's <c>batch_{µs:D19}.jsonl</c>.</summary>
    Batch,

    /// <summary>Merged data: <c>batch_{first}~{last}~{id:x16}.jsonl</c>, where first and last are the stems of the batches it holds.</summary>
    Merged,

    /// <summary>The commit record of merged data: the same name ending <c>.manifest.json</c>.</summary>
    Manifest,
}

/// <summary>
/// The naming scheme of a log's objects. Batch names are the log's order: ordinal comparison of two batch
/// names is the order of their events. Names the scheme does not match are not ObjectLog's and are ignored.
/// </summary>
/// <param name="Kind">What the object is.</param>
/// <param name="First">For a batch, its own name; for merged data or a manifest, the first batch it holds.</param>
/// <param name="Last">For a batch, its own name; for merged data or a manifest, the last batch it holds.</param>
/// <param name="DataName">For merged data or a manifest, the name of the merged data object; otherwise the batch name.</param>
internal readonly partial record struct LogObjectName(LogObjectKind Kind, string First, string Last, string DataName)
{
    private const string BatchStart = "batch_";
    private const string DataEnd = ".jsonl";
    private const string ManifestEnd = ".manifest.json";

    public static bool TryParse(string name, out LogObjectName parsed)
    {
        parsed = default;
        if (!name.StartsWith(BatchStart, StringComparison.Ordinal))
        {
            return false;
        }

        if (BatchPattern().IsMatch(name))
        {
            parsed = new LogObjectName(LogObjectKind.Batch, name, name, name);
            return true;
        }

        Match m = MergedPattern().Match(name);
        if (!m.Success)
        {
            return false;
        }

        string first = BatchStart + m.Groups[1].Value + DataEnd;
        string last = BatchStart + m.Groups[2].Value + DataEnd;
        if (string.CompareOrdinal(first, last) > 0)
        {
            return false;
        }

        bool manifest = m.Groups[4].Value == ManifestEnd;
        string dataName = manifest ? name[..^ManifestEnd.Length] + DataEnd : name;
        parsed = new LogObjectName(manifest ? LogObjectKind.Manifest : LogObjectKind.Merged, first, last, dataName);
        return true;
    }

    /// <summary>The name of a new batch. Fixed widths make text order equal time, then writer, then sequence order.</summary>
    public static string Batch(long epochMicroseconds, ulong writerId, long sequence)
        => string.Create(CultureInfo.InvariantCulture, $"{BatchStart}{epochMicroseconds:D19}-{writerId:x16}-{sequence:D12}{DataEnd}");

    public static string Merged(string firstBatch, string lastBatch, ulong id)
        => string.Create(CultureInfo.InvariantCulture, $"{BatchStart}{Stem(firstBatch)}~{Stem(lastBatch)}~{id:x16}{DataEnd}");

    /// <summary>The time in a batch name (the writer's clock when the batch's first event was appended).</summary>
    public static DateTimeOffset TimeOf(string batchName)
        => DateTimeOffset.UnixEpoch.AddTicks(long.Parse(batchName.AsSpan(BatchStart.Length, 19), NumberStyles.None, CultureInfo.InvariantCulture) * 10);

    /// <summary>A name that sorts before every batch name of <paramref name="time"/> or later (and after every earlier one).</summary>
    public static string FloorAt(DateTimeOffset time)
        => string.Create(CultureInfo.InvariantCulture, $"{BatchStart}{Math.Max(0, (time - DateTimeOffset.UnixEpoch).Ticks / 10):D19}");

    public static string ManifestFor(string mergedName) => mergedName[..^DataEnd.Length] + ManifestEnd;

    private static string Stem(string batchName) => batchName[BatchStart.Length..^DataEnd.Length];

    [GeneratedRegex(@"^batch_\d{19}(?:-[0-9a-f]{16}-\d{12})?\.jsonl$", RegexOptions.CultureInvariant)]
    private static partial Regex BatchPattern();

    [GeneratedRegex(@"^batch_(\d{19}(?:-[0-9a-f]{16}-\d{12})?)~(\d{19}(?:-[0-9a-f]{16}-\d{12})?)~([0-9a-f]{16})(\.jsonl|\.manifest\.json)$", RegexOptions.CultureInvariant)]
    private static partial Regex MergedPattern();
}
