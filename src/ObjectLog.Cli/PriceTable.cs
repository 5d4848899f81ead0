using System.Globalization;

namespace ObjectLog.Cli;

/// <summary>
/// What requests and storage cost, in dollars: per 1,000 requests of each kind, and per GB-month stored. The
/// defaults are S3 Standard's list prices (us-east-1); <c>--price</c> overrides any of them.
/// </summary>
internal sealed record PriceTable(decimal Put, decimal Get, decimal List, decimal Storage)
{
    public static readonly PriceTable S3Standard = new(Put: 0.005m, Get: 0.0004m, List: 0.005m, Storage: 0.023m);

    /// <summary>
    /// Reads <c>put=0.005,get=0.0004,list=0.005,storage=0.023</c> (any subset, in any order) over
    /// <see cref="S3Standard"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The text is not of that form; the message says which part and why.</exception>
    public static PriceTable Parse(string? text)
    {
        PriceTable prices = S3Standard;
        if (string.IsNullOrWhiteSpace(text))
        {
            return prices;
        }

        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2)
            {
                throw new ArgumentException($"--price: '{part}' is not NAME=DOLLARS (for example put=0.005).");
            }

            if (!decimal.TryParse(pair[1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal price))
            {
                throw new ArgumentException($"--price: '{pair[1]}' for {pair[0]} is not a price in dollars, 0 or more (for example 0.005).");
            }

            prices = pair[0].ToLowerInvariant() switch
            {
                "put" => prices with { Put = price },
                "get" => prices with { Get = price },
                "list" => prices with { List = price },
                "storage" => prices with { Storage = price },
                _ => throw new ArgumentException($"--price: unknown price '{pair[0]}'; use put, get, list (dollars per 1,000 requests) or storage (dollars per GB-month)."),
            };
        }

        return prices;
    }
}
