using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ObjectLog.Tests.Extensions;

/// <summary>
/// A minimal ASP.NET Core app, run in memory by <see cref="WebApplicationFactory{TEntryPoint}"/>: it logs one entry per
/// request through ObjectLog's <c>ILogger</c> provider (and through <paramref name="others"/>, where the provider's
/// own warnings go) and answers 200.
/// </summary>
/// <remarks>
/// The app is defined here, in the test project, rather than in a web project of its own: the test assembly's entry
/// point is the test runner's, so <see cref="CreateHostBuilder"/> builds the host instead of running an entry point.
/// </remarks>
internal sealed class LoggingWebApp(string storeUrl, Action<ObjectLog.Extensions.Logging.ObjectLogLoggerOptions> configure, ILoggerProvider others)
    : WebApplicationFactory<LoggingWebApp>
{
    /// <summary>The category of the entry each request logs.</summary>
    public const string Category = "LoggingWebApp.Requests";

    protected override IHostBuilder CreateHostBuilder() => new HostBuilder()
        .ConfigureLogging(logging => logging
            .ClearProviders()
            .AddFilter("Microsoft", LogLevel.None) // only the app's entries: accepted, stored and dropped are then the app's
            .AddProvider(others)
            .AddObjectLog(storeUrl, configure))
        .ConfigureWebHost(web => web
            .ConfigureServices(services => services.AddRouting())
            .Configure(app =>
            {
                ILogger logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
                app.UseRouting();
                app.UseEndpoints(endpoints => endpoints.MapGet("/orders/{id:int}", (int id) =>
                {
                    logger.LogInformation("Order {OrderId} placed by {Customer}", id, "ada");
                    return Results.Ok(id);
                }));
            }));

    // The factory looks for the content root beside a project named like this assembly, which is not there; the app
    // serves no files, so the test's output folder does.
    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseContentRoot(AppContext.BaseDirectory);
}
