using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ObjectLog.Tests.Ui;

/// <summary>
/// A shop's log in the shapes the viewer reads, mixed: ILogger provider events (<c>level</c>, <c>message</c>,
/// <c>properties</c>), CLEF events (<c>@t</c>, <c>@mt</c>, with and without <c>@l</c>) and plain JSON with no level.
/// The same <c>seed</c> gives the same events; errors come in a burst a little past the middle, so the histogram shows one.
/// </summary>
internal static class ShopEvents
{
    /// <summary>Leaves <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c> as they are, so markup in a message is stored as markup, as many loggers store it.</summary>
    private static readonly JsonSerializerOptions Literal = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] Skus = ["tea-01", "mug-07", "pot-03"];

    /// <summary>
    /// <paramref name="count"/> events in at most <paramref name="batches"/> batches, whose times are spread evenly
    /// over <paramref name="span"/> up to a minute before <paramref name="end"/>; traffic rises and falls, as a shop's does.
    /// </summary>
    public static IReadOnlyList<SeedEvent> Create(int count, int batches, TimeSpan span, DateTimeOffset end, int seed = 7)
    {
        var random = new Random(seed);
        double[] traffic = [.. Enumerable.Range(0, batches).Select(b => 1 + (0.6 * Math.Sin(b * 3 * Math.PI / batches)) + (0.4 * random.NextDouble()))];
        double total = traffic.Sum(), before = 0;
        var events = new List<SeedEvent>(count);
        DateTimeOffset start = end - TimeSpan.FromMinutes(1) - span;
        int batch = 0;
        for (int i = 0; i < count; i++)
        {
            while (batch < batches - 1 && (before + traffic[batch]) / total * count <= i)
            {
                before += traffic[batch++];
            }

            DateTimeOffset at = start + span * batch / batches;
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
        return new SeedEvent(at, $"{{\"timestamp\":\"{Iso(at)}\",\"level\":\"{level}\",\"category\":\"{category}\",\"message\":{Json(message)}{properties}}}", level);
    }

    /// <summary>A CLEF event; without <paramref name="level"/> it is Information, as CLEF says.</summary>
    public static SeedEvent Clef(DateTimeOffset at, string template, string? level, (string Name, object Value) property)
    {
        string l = level is null ? "" : $",\"@l\":\"{level}\"";
        return new SeedEvent(at, $"{{\"@t\":\"{Iso(at)}\",\"@mt\":{Json(template)}{l},\"{property.Name}\":{Json(property.Value)}}}", level ?? "Information");
    }

    /// <summary><paramref name="value"/> as JSON, with markup characters unescaped.</summary>
    public static string Json(object value) => JsonSerializer.Serialize(value, Literal);

    private static SeedEvent Plain(DateTimeOffset at, int trial, Random random)
        => new(at, string.Create(CultureInfo.InvariantCulture, $"{{\"trial\":{trial},\"outcome\":\"ok\",\"loss\":{random.NextDouble():F4}}}"), null);

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
