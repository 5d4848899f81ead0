using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ObjectLog;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddObjectLog("file://./objectlog-data/app-logs");                     // ObjectLog.Extensions.Logging
builder.Services.AddObjectLog("orders", "file://./objectlog-data/orders",             // ObjectLog.Extensions.Hosting
    options => options.FlushThreshold = 64);

// With --otel (or OBJECTLOG_OTEL=1), ObjectLog's traces and metrics go to the console through OpenTelemetry.
// Without it the program is issue 8's, and its output is unchanged.
if (args.Contains("--otel") || Environment.GetEnvironmentVariable("OBJECTLOG_OTEL") is "1" or "true")
{
    builder.Services.AddOpenTelemetry()
        .WithTracing(tracing => tracing.AddSource(ObjectLogMetrics.ActivitySourceName).AddConsoleExporter())
        .WithMetrics(metrics => metrics.AddMeter(ObjectLogMetrics.MeterName).AddConsoleExporter());
}

using IHost host = builder.Build();
await host.StartAsync();

ILogger logger = host.Services.GetRequiredService<ILogger<Program>>();
logger.LogInformation("Order {OrderId} placed by {Customer}", 42, "ada");

AppendLog orders = host.Services.GetRequiredKeyedService<AppendLog>("orders");
var typed = new JsonAppendLog<Order>(orders, SampleJson.Default.Order);
await typed.AppendAsync(new Order(42, "ada", 9.99m));

await host.StopAsync();  // flushes every log registered here, and the logger's

await foreach (Order o in typed.ReadAsync())
    Console.WriteLine(o);

public sealed record Order(int Id, string Customer, decimal Total);

[JsonSerializable(typeof(Order))]
internal sealed partial class SampleJson : JsonSerializerContext;
