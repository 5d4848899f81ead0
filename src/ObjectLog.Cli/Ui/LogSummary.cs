using System.Globalization;

namespace ObjectLog.Cli.Ui;

/// <summary>What the page made of the store so far: requests by kind, and the bytes GETs received.</summary>
internal sealed record RequestSummary(long List, long Get, long Put, long Delete, long BytesReceived);

/// <summary>
/// The <c>summary</c> endpoint's answer: the log's live data objects and their bytes, the times of its first and
/// last batch, the store's time, and the requests the server has made (the request meter). One listing of the log
/// (<see cref="AppendLog.ListStoredObjectsAsync"/>) answers it; no data is read.
/// </summary>
internal sealed record LogSummary(string Log, int Objects, long StoredBytes, DateTimeOffset? FirstBatchTime, DateTimeOffset? LastBatchTime, DateTimeOffset StoreTime, RequestSummary Requests)
{
    public static async Task<LogSummary> GatherAsync(string name, AppendLog log, LogCatalog catalog, CancellationToken cancellationToken)
    {
        IReadOnlyList<StoredObject> objects = await log.ListStoredObjectsAsync(cancellationToken).ConfigureAwait(false);
        int count = 0;
        long bytes = 0;
        long? first = null, last = null;
        foreach (StoredObject o in objects)
        {
            if (o.State != StoredObjectState.Live || o.Kind is not (StoredObjectKind.Batch or StoredObjectKind.Merged))
            {
                continue;
            }

            count++;
            bytes += o.Meta.Size;
            string objectName = o.Meta.Key[log.KeyPrefix.Length..];
            if (BatchTimes(objectName) is ({ } f, { } l))
            {
                first = first is null || f < first ? f : first;
                last = last is null || l > last ? l : last;
            }
        }

        RequestCounts requests = catalog.Requests.Counts;
        return new LogSummary(
            name,
            count,
            bytes,
            first is { } a ? FromMicroseconds(a) : null,
            last is { } b ? FromMicroseconds(b) : null,
            await log.GetStoreTimeAsync(cancellationToken).ConfigureAwait(false),
            new RequestSummary(requests.List + catalog.SearchListPages, requests.Get, requests.Put, requests.Delete, requests.BytesReceived));
    }

    /// <summary>
    /// The microseconds of the first and last batch a data object holds, from its name (docs/format.md, "Names"):
    /// <c>batch_{µs:D19}…</c> for a batch; <c>batch_{first}~{last}~…</c> for merged data, each stem starting with its µs.
    /// </summary>
    internal static (long? First, long? Last) BatchTimes(string objectName)
    {
        const int Digits = 19;
        if (!objectName.StartsWith("batch_", StringComparison.Ordinal) || objectName.Length < 6 + Digits
            || !long.TryParse(objectName.AsSpan(6, Digits), NumberStyles.None, CultureInfo.InvariantCulture, out long first))
        {
            return (null, null);
        }

        int tilde = objectName.IndexOf('~', StringComparison.Ordinal);
        return tilde > 0 && objectName.Length >= tilde + 1 + Digits && long.TryParse(objectName.AsSpan(tilde + 1, Digits), NumberStyles.None, CultureInfo.InvariantCulture, out long last)
            ? (first, last)
            : (first, first);
    }

    private static DateTimeOffset FromMicroseconds(long us) => DateTimeOffset.UnixEpoch.AddTicks(us * 10);
}
