
namespace ObjectLog.Cli;

/// <summary>What a log costs at <see cref="Prices"/>: a month of writes at its current rate and of storage, and one full read.</summary>
/// <param name="Prices">The prices used.</param>
/// <param name="BatchesPerHour">The write rate: batches stored per hour over <see cref="RateWindowSeconds"/>.</param>
/// <param name="RateWindowSeconds">The window the rate is measured over: the last hour, or the log's whole life if shorter (at least a minute).</param>
/// <param name="PutsPerMonth">Batch PUTs a month (730 hours) at that rate; compaction's few PUTs are not included.</param>
/// <param name="PutDollarsPerMonth">What they cost.</param>
/// <param name="StorageGb">Bytes stored, in GB of 2^30 bytes (as S3 bills).</param>
/// <param name="StorageDollarsPerMonth">What storing them costs a month.</param>
/// <param name="DataStorageDollarsPerMonth">Of that, what the live data objects (<see cref="ObjectCounts.DataBytes"/>) cost.</param>
/// <param name="RawStorageDollarsPerMonth">What the same events would cost stored as they are read, uncompressed (<see cref="LogStats.EventBytes"/>): against <see cref="DataStorageDollarsPerMonth"/>, what compression saves.</param>
/// <param name="DollarsPerMonth">Writes and storage; reads come on top, at <see cref="FullReadDollars"/> each.</param>
/// <param name="FullReadGets">GETs one full read made (measured by this command's own).</param>
/// <param name="FullReadListPages">LIST requests it made.</param>
/// <param name="FullReadDollars">What one full read costs.</param>
internal sealed record CostEstimate(
    PriceTable Prices,
    double BatchesPerHour,
    double RateWindowSeconds,
    long PutsPerMonth,
    decimal PutDollarsPerMonth,
    double StorageGb,
    decimal StorageDollarsPerMonth,
    decimal DataStorageDollarsPerMonth,
    decimal RawStorageDollarsPerMonth,
    decimal DollarsPerMonth,
    long FullReadGets,
    long FullReadListPages,
    decimal FullReadDollars)
{
    public const double HoursPerMonth = 730;

    public static CostEstimate Of(PriceTable prices, double batchesPerHour, TimeSpan window, ObjectCounts objects, long rawBytes, RequestCounts fullRead)
    {
        long puts = (long)Math.Round(batchesPerHour * HoursPerMonth);
        decimal putCost = puts * prices.Put / 1000;
        double gb = Gb(objects.Bytes);
        decimal storageCost = StorageCost(objects.Bytes, prices);
        decimal readCost = (fullRead.Get * prices.Get + fullRead.List * prices.List) / 1000;
        return new CostEstimate(
            prices, Math.Round(batchesPerHour, 3), window.TotalSeconds, puts, putCost, Math.Round(gb, 9), storageCost,
            StorageCost(objects.DataBytes, prices), StorageCost(rawBytes, prices), putCost + storageCost, fullRead.Get, fullRead.List, readCost);
    }

    private static double Gb(long bytes) => bytes / (double)(1L << 30);

    private static decimal StorageCost(long bytes, PriceTable prices) => Math.Round((decimal)Gb(bytes) * prices.Storage, 9); // no false precision in the JSON
}
