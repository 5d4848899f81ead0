// Logs `entries` entries (configuration, default 10) through the ObjectLog provider, waits `waitMs` milliseconds
// (default 0: time for the provider's timer to start storing them), stops the host and disposes it, then prints
// "stopped": the store comes from Logging:ObjectLog:StoreUrl (e.g. Logging__ObjectLog__StoreUrl).
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddObjectLog();
using (IHost host = builder.Build())
{
    await host.StartAsync();
    ILogger logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LoggingHost");
    int entries = builder.Configuration.GetValue("entries", 10);
    for (int i = 0; i < entries; i++)
    {
        logger.LogInformation("Entry {Number}", i);
    }

    await Task.Delay(builder.Configuration.GetValue("waitMs", 0));
    await host.StopAsync();
}

Console.WriteLine("stopped");
