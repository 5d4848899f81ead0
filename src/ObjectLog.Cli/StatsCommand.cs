using System.CommandLine;
using System.Globalization;

namespace ObjectLog.Cli;

/// <summary><c>objlog stats</c>: counts a log's objects, bytes and events and the requests this took, and estimates what the log costs a month.</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var price = new Option<string?>("--price") { Description = "Prices to use instead of S3 Standard's list prices: dollars per 1,000 requests (put, get, list) or per GB-month (storage), e.g. put=0.005,get=0.0004,list=0.005,storage=0.023." };
        var json = new Option<bool>("--json") { Description = "Print the stats as JSON (snake_case field names, as docs/stats.md lists them)." };
        var command = new Command("stats", "Count a log's objects, bytes and events, the requests this took, and estimate what the log costs a month.") { price, json };
        ObjlogCommand.Validate(command.Validators, result => PriceTable.Parse(result.GetValue(price)));
        command.SetAction((result, ct) => ObjlogCommand.Run(result, async (location, ct) =>
        {
            PriceTable prices = PriceTable.Parse(result.GetValue(price));
            LogStats stats = await LogStats.GatherAsync(location.Store, location.LogPrefix, prices, DateTimeOffset.UtcNow, ct);
            if (result.GetValue(json))
            {
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(stats, LogStatsJson.Default.LogStats));
                return 0;
            }

            ObjectCounts o = stats.Objects;
            RequestCounts r = stats.Requests;
            CostEstimate c = stats.Cost;
            Console.WriteLine(Invariant($"{location.Description}"));
            Console.WriteLine(Invariant($"objects:  {o.Total:N0} ({o.Bytes:N0} bytes): {o.BatchObjects + o.MergedObjects:N0} live ({o.BatchObjects:N0} batch, {o.MergedObjects:N0} merged) and {o.Other:N0} manifests/markers/trim records in use; {o.Superseded:N0} superseded, {o.Uncommitted:N0} uncommitted, {o.Garbage:N0} garbage; {o.Foreign:N0} not ObjectLog's"));
            Console.WriteLine(Invariant($"events:   {stats.Events:N0} ({stats.EventBytes:N0} bytes) in {stats.Batches:N0} batches"));
            Console.WriteLine(Invariant($"stored:   {o.DataBytes:N0} bytes in live data objects for {stats.EventBytes:N0} bytes of events: {(stats.StoredRatio is { } ratio ? Invariant($"{ratio:0.00}×") : "n/a")}"));
            Console.WriteLine(stats.FirstBatchTime is { } first && stats.LastBatchTime is { } last
                ? Invariant($"time:     {first:O} to {last:O} ({last - first:g})")
                : "time:     (empty log)");
            Console.WriteLine(Invariant($"requests: this command made {r.Put:N0} PUT, {r.Get:N0} GET, {r.List:N0} LIST (pages), {r.Delete:N0} DELETE; {r.BytesReceived:N0} bytes received"));
            Console.WriteLine(Invariant($"cost at PUT ${c.Prices.Put}, GET ${c.Prices.Get}, LIST ${c.Prices.List} per 1,000 requests, storage ${c.Prices.Storage} per GB-month:"));
            Console.WriteLine(Invariant($"  writes:        {c.BatchesPerHour:0.##} batches/hour (over the last {TimeSpan.FromSeconds(c.RateWindowSeconds):g}) = {c.PutsPerMonth:N0} PUTs/month: ${c.PutDollarsPerMonth:0.00####}/month"));
            Console.WriteLine(Invariant($"  storage:       {c.StorageGb:0.######} GB: ${c.StorageDollarsPerMonth:0.00####}/month"));
            Console.WriteLine(Invariant($"  live data:     ${c.DataStorageDollarsPerMonth:0.00####}/month; the same events uncompressed would cost ${c.RawStorageDollarsPerMonth:0.00####}/month"));
            Console.WriteLine(Invariant($"  total:         ${c.DollarsPerMonth:0.00####}/month, plus reads"));
            Console.WriteLine(Invariant($"  one full read: {c.FullReadGets:N0} GET, {c.FullReadListPages:N0} LIST: ${c.FullReadDollars:0.00######}"));
            return 0;
        }, ct, readOnly: true));
        return command;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
