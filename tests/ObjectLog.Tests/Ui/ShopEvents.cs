using System.Globalization;
using System.Text.Json;

namespace ObjectLog.Tests.Ui;

/// <summary>
/// A shop's log in the shapes the viewer reads, mixed: ILogger provider events (<c>level</c>, <c>message</c>,
/// <c>properties</c>), CLEF events (<c>@t</c>, <c>@mt</c>, with and without <c>@l</c>) and plain JSON with no level.
/// The same <c>seed</c> gives the same events; errors come in a burst a little past the middle, so the histogram shows one.
/// </summary>
internal static class ShopEvents
{
    private static readonly string[] Skus = ["tea-01", "mug-07", "pot-03"];

    /// <summary><paramref name="count"/> events, their batch times spread evenly over <paramref name="span"/> up to a minute before <paramref name="end"/>.</summary>
    public static IReadOnlyList<SeedEvent> Create(int count, TimeSpan span, DateTimeOffset end, int seed = 7)
    {
        var random = new Random(seed);
        var events = new List<SeedEvent>(count);
        DateTimeOffset start = end - TimeSpan.FromMinutes(1) - span;
        for (int i = 0; i < count; i++)
        {
            DateTimeOffset at = start + span * i / count;
            bool burst = i > count * 55 / 100 && i < count * 65 / 100;
            int orderId = 40 + (i % 7);
            int kind = random.Next(10);
            events.Add((burst ? kind < 6 : kind < 1) ? LoggerEvent(at, "Error", "Shop.Orders", $"Order {orderId} failed: card declined", orderId)
                : kind < 2 ? Clef(at, "Order {OrderId} failed", "Warning", ("OrderId", orderId))
                : kind < 5 ? LoggerEvent(at, "Information", "Shop.Orders", $"Order {orderId} placed", orderId)
                : kind < 7 ? Clef(at, "Stock checked for {Sku}", null, ("Sku", Skus[i % Skus.Length]))
                : kind < 8 ? LoggerEvent(at, "Debug", "Shop.Cache", $"Cache refreshed in {random.Next(5, 90)} ms", null)
                : Plain(at, i, random));
        }

        return events;
    }

    /// <summary>An ILogger provider event: <c>{"timestamp","level","category","message","properties"}</c>.</summary>
    public static SeedEvent LoggerEvent(DateTimeOffset at, string level, string category, string message, int? orderId)
    {
        string properties = orderId is { } id ? $",\"properties\":{{\"OrderId\":{id.ToString(CultureInfo.InvariantCulture)}}}" : "";
        return new SeedEvent(at, $"{{\"timestamp\":\"{Iso(at)}\",\"level\":\"{level}\",\"category\":\"{category}\",\"message\":{JsonSerializer.Serialize(message)}{properties}}}", level);
    }

    /// <summary>A CLEF event; without <paramref name="level"/> it is Information, as CLEF says.</summary>
    public static SeedEvent Clef(DateTimeOffset at, string template, string? level, (string Name, object Value) property)
    {
        string l = level is null ? "" : $",\"@l\":\"{level}\"";
        return new SeedEvent(at, $"{{\"@t\":\"{Iso(at)}\",\"@mt\":{JsonSerializer.Serialize(template)}{l},\"{property.Name}\":{JsonSerializer.Serialize(property.Value)}}}", level ?? "Information");
    }

    private static SeedEvent Plain(DateTimeOffset at, int trial, Random random)
        => new(at, string.Create(CultureInfo.InvariantCulture, $"{{\"trial\":{trial},\"outcome\":\"ok\",\"loss\":{random.NextDouble():F4}}}"), null);

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
