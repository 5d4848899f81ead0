using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ObjectLog.Storage;

namespace ObjectLog.Benchmarks.Compression;

/// <summary>
/// Log entries as ObjectLog's ILogger provider stores them: a web shop's requests logged through a real
/// <see cref="ILogger"/> (structured properties, a request scope, the Activity's trace and span ids as a scope,
/// some warnings and errors with exceptions and their stack traces), captured from an in-memory store and read back.
/// </summary>
internal static class LoggerCorpus
{
    private const string Prefix = "app-logs";
    private static readonly string[] Paths = ["/api/orders", "/api/cart/items", "/api/checkout", "/api/products/search", "/health"];
    private static readonly string[] Currencies = ["EUR", "USD", "GBP"];

    public static async Task<List<byte[]>> CaptureAsync(int entries)
    {
        var store = new InMemoryObjectStore();
        string scheme = "capture" + Guid.NewGuid().ToString("N")[..8];
        ObjectStoreUrl.Register(scheme, (rest, _) => new ObjectStoreLocation(store, rest, "in-memory capture"));
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.ClearProviders();
            logging.SetMinimumLevel(LogLevel.Information);
            logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
            logging.AddObjectLog($"{scheme}://{Prefix}", o => o.MaxBufferedBytes = 1L << 30);
        });
        await using (ServiceProvider built = services.BuildServiceProvider())
        {
            ILoggerFactory factory = built.GetRequiredService<ILoggerFactory>();
            var shop = new Shop(factory, new Random(7));
            int logged = 0;
            while (logged < entries)
            {
                logged += shop.Request(entries - logged);
            }
        }

        await using var reader = new AppendLog(store, Prefix);
        IReadOnlyList<byte[]> events = await reader.ReadAllAsync();
        return events.Count == entries ? [.. events] : throw new InvalidOperationException($"logged {entries} entries, the provider stored {events.Count}");
    }

    /// <summary>One request's entries, as an ASP.NET Core shop logs them: hosting's start and finish lines around the app's own.</summary>
    private sealed class Shop(ILoggerFactory factory, Random random)
    {
        private readonly ILogger _hosting = factory.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");
        private readonly ILogger _orders = factory.CreateLogger("Shop.Orders.OrderService");
        private readonly ILogger _payments = factory.CreateLogger("Shop.Payments.PaymentClient");
        private readonly ILogger _cache = factory.CreateLogger("Shop.Caching.ProductCache");
        private int _orderId = 1_000_000;
        private int _requestId;

        /// <summary>Logs one request's entries, at most <paramref name="room"/>; returns how many.</summary>
        public int Request(int room)
        {
            using var activity = new Activity("HTTP request").Start();
            string path = Paths[random.Next(Paths.Length)];
            string method = path == "/api/checkout" || path == "/api/orders" ? "POST" : "GET";
            using IDisposable? scope = _hosting.BeginScope("RequestPath:{RequestPath} RequestId:{RequestId}", path, $"0HN8{_requestId++:X8}:00000001");
            int logged = 0;
            bool Log(Action write)
            {
                if (logged == room)
                {
                    return false;
                }

                write();
                logged++;
                return true;
            }

            Log(() => _hosting.LogInformation(new EventId(1, "RequestStarting"), "Request starting HTTP/1.1 {Method} http://shop.example.com{Path} - {ContentType} {ContentLength}", method, path, "application/json", random.Next(0, 900)));
            string customer = $"customer-{random.Next(5_000):D5}";
            int orderId = _orderId += random.Next(1, 4);
            if (random.Next(3) == 0)
            {
                Log(() => _cache.LogInformation("Cache miss for {CacheKey}; loaded {Items} items from the catalogue in {ElapsedMs} ms", $"product:{random.Next(20_000)}", random.Next(1, 40), random.Next(1, 30)));
            }

            if (method == "POST")
            {
                decimal total = Math.Round((decimal)(random.NextDouble() * 400), 2);
                string currency = Currencies[random.Next(Currencies.Length)];
                Log(() => _orders.LogInformation(new EventId(2001, "OrderPlaced"), "Order {OrderId} placed by {Customer} for {Total} {Currency} ({Items} items)", orderId, customer, total, currency, random.Next(1, 9)));
                int roll = random.Next(100);
                if (roll < 4)
                {
                    Log(() => _payments.LogError(new EventId(3002, "PaymentFailed"), Fail(roll), "Payment for order {OrderId} failed after {Attempts} attempts", orderId, 3));
                }
                else if (roll < 12)
                {
                    Log(() => _payments.LogWarning(new EventId(3001, "PaymentSlow"), "Payment provider slow: {ElapsedMs} ms for order {OrderId}, retrying", random.Next(2_000, 9_000), orderId));
                }
                else
                {
                    Log(() => _payments.LogInformation(new EventId(3000, "PaymentCaptured"), "Captured {Amount} {Currency} for order {OrderId} on card ending {Last4}", total, currency, orderId, random.Next(10_000).ToString("D4", System.Globalization.CultureInfo.InvariantCulture)));
                }
            }

            Log(() => _hosting.LogInformation(new EventId(2, "RequestFinished"), "Request finished HTTP/1.1 {Method} http://shop.example.com{Path} - {StatusCode} {ContentLength} {ContentType} {ElapsedMilliseconds}ms", method, path, 200, random.Next(100, 20_000), "application/json; charset=utf-8", Math.Round(random.NextDouble() * 120, 4)));
            return logged;
        }

        /// <summary>A thrown and caught exception, so it carries a real stack trace (and, for one kind, an inner exception).</summary>
        private static Exception Fail(int roll)
        {
            try
            {
                PaymentGateway.Charge(roll);
            }
            catch (Exception e)
            {
                return e;
            }

            throw new UnreachableException();
        }
    }

    private static class PaymentGateway
    {
        public static void Charge(int roll) => Send(roll);

        private static void Send(int roll)
        {
            try
            {
                Receive(roll);
            }
            catch (TimeoutException e) when (roll % 2 == 0)
            {
                throw new HttpRequestException("The payment provider did not answer (https://pay.example.com/v2/charges).", e);
            }
        }

        private static void Receive(int roll) => throw (roll % 2 == 0
            ? new TimeoutException("The operation has timed out after 30 seconds.")
            : new InvalidOperationException($"The payment provider declined the charge: code {roll}, card_declined."));
    }
}
