using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ObjectLog.Benchmarks.Ui;

/// <summary>
/// A web shop's log entries in the shape ObjectLog's ILogger provider stores them (<c>timestamp</c>, <c>level</c>,
/// <c>category</c>, rendered <c>message</c>, structured <c>properties</c>), about 200 bytes each: mostly
/// Information, some Debug, Warning and Error. Written straight to JSON rather than through a logger, so a million
/// take about a second; the same seed gives the same entries.
/// </summary>
internal sealed class ShopLogLines(int seed)
{
    private static readonly string[] Paths = ["/api/orders", "/api/cart/items", "/api/checkout", "/api/products/search", "/health"];
    private static readonly string[] Currencies = ["EUR", "USD", "GBP"];

    private readonly Random _random = new(seed);
    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private readonly Utf8JsonWriter _writer = new(Stream.Null, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
    private int _orderId = 1_000_000;

    /// <summary>The next entry, stamped <paramref name="timestamp"/>; valid until the next call.</summary>
    public ReadOnlyMemory<byte> Next(DateTimeOffset timestamp)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        _writer.WriteString("timestamp"u8, timestamp.UtcDateTime);
        int roll = _random.Next(1000);
        int orderId = _orderId += _random.Next(1, 4);
        if (roll < 10)
        {
            int attempts = _random.Next(1, 4);
            Entry("Error", "Shop.Payments.PaymentClient", Invariant($"Payment for order {orderId} failed after {attempts} attempts: card_declined"));
            _writer.WriteNumber("OrderId"u8, orderId);
            _writer.WriteNumber("Attempts"u8, attempts);
        }
        else if (roll < 50)
        {
            int elapsed = _random.Next(2_000, 9_000);
            Entry("Warning", "Shop.Payments.PaymentClient", Invariant($"Payment provider slow: {elapsed} ms for order {orderId}, retrying"));
            _writer.WriteNumber("ElapsedMs"u8, elapsed);
            _writer.WriteNumber("OrderId"u8, orderId);
        }
        else if (roll < 150)
        {
            string key = Invariant($"product:{_random.Next(20_000)}");
            int items = _random.Next(1, 40);
            Entry("Debug", "Shop.Caching.ProductCache", Invariant($"Cache miss for {key}; loaded {items} items"));
            _writer.WriteString("CacheKey"u8, key);
            _writer.WriteNumber("Items"u8, items);
        }
        else if (roll < 400)
        {
            string customer = Invariant($"customer-{_random.Next(5_000):D5}");
            decimal total = Math.Round((decimal)(_random.NextDouble() * 400), 2);
            string currency = Currencies[_random.Next(Currencies.Length)];
            Entry("Information", "Shop.Orders.OrderService", Invariant($"Order {orderId} placed by {customer} for {total} {currency}"));
            _writer.WriteNumber("OrderId"u8, orderId);
            _writer.WriteString("Customer"u8, customer);
            _writer.WriteNumber("Total"u8, total);
            _writer.WriteString("Currency"u8, currency);
        }
        else
        {
            string path = Paths[_random.Next(Paths.Length)];
            string method = path is "/api/checkout" or "/api/orders" ? "POST" : "GET";
            double elapsed = Math.Round(_random.NextDouble() * 120, 2);
            Entry("Information", "Microsoft.AspNetCore.Hosting.Diagnostics", Invariant($"Request finished {method} {path} 200 in {elapsed} ms"));
            _writer.WriteString("Method"u8, method);
            _writer.WriteString("Path"u8, path);
            _writer.WriteNumber("StatusCode"u8, 200);
            _writer.WriteNumber("ElapsedMs"u8, elapsed);
        }

        _writer.WriteEndObject(); // properties
        _writer.WriteEndObject();
        _writer.Flush();
        return _buffer.WrittenMemory;
    }

    /// <summary>Writes the level, category and message, and opens <c>properties</c>.</summary>
    private void Entry(string level, string category, string message)
    {
        _writer.WriteString("level"u8, level);
        _writer.WriteString("category"u8, category);
        _writer.WriteString("message"u8, message);
        _writer.WriteStartObject("properties"u8);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
