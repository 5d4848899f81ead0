using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ObjectLog.Cli.Ui;

/// <summary>
/// The web server behind <c>objlog ui</c>: the page's assets, embedded in the tool, and its read-only JSON endpoints
/// (docs/ui.md). Nothing it serves writes, compacts or trims.
/// </summary>
internal static class UiServer
{
    /// <summary>
    /// The page may run only its own script and style, talk only to this server, and never be framed: event text
    /// that slipped past the page's rendering still could not load or run anything.
    /// </summary>
    private const string ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Builds the server with every endpoint mapped; start it, then <see cref="WebApplication.Urls"/> holds the bound address.</summary>
    public static WebApplication Build(UiServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "objlog" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.Port));
        WebApplication app = builder.Build();
        app.Use(async (context, next) =>
        {
            context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            await next(context);
        });
        MapAsset(app, "/", "index.html", "text/html; charset=utf-8");
        MapAsset(app, "/app.js", "app.js", "text/javascript; charset=utf-8");
        MapAsset(app, "/app.css", "app.css", "text/css; charset=utf-8");
        return app;
    }

    private static void MapAsset(WebApplication app, string path, string name, string contentType)
    {
        app.MapGet(path, async (HttpContext context) =>
        {
            using Stream? asset = Assembly.GetExecutingAssembly().GetManifestResourceStream($"ObjectLog.Cli.Ui.wwwroot.{name}");
            if (asset is null)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            context.Response.ContentType = contentType;
            context.Response.Headers.CacheControl = "no-cache";
            await asset.CopyToAsync(context.Response.Body, context.RequestAborted);
        });
    }
}
