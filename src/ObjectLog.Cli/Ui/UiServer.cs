using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
        // Open follow streams end when the page goes; at shutdown they are cut after a moment rather than waited for.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(_ => new LogCatalog(options)); // the container disposes it, and its logs, at shutdown
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
        MapApi(app, options);
        return app;
    }

    /// <summary>The JSON endpoints (docs/ui.md): GET only, so nothing here can write, compact or trim.</summary>
    private static void MapApi(WebApplication app, UiServerOptions options)
    {
        LogCatalog catalog = app.Services.GetRequiredService<LogCatalog>();
        app.MapGet("/api/logs", async (HttpContext context) =>
        {
            (IReadOnlyList<string> logs, bool complete) = await catalog.FindLogsAsync(context.RequestAborted);
            List<string> names = [.. logs];
            if (options.Log is { } fixedLog && !names.Contains(fixedLog, StringComparer.Ordinal))
            {
                names.Insert(0, fixedLog); // an empty log is still the one asked for
            }

            return Results.Json(new LogList(options.StoreDescription, options.Log, [.. names.Select(n => new LogName(n))], complete), UiJson.Default.LogList);
        });

        app.MapGet("/api/events", (HttpContext context) => AnswerAsync(context, async (request, ct) =>
        {
            TimeRange range = await request.RangeAsync(ct);
            bool newestFirst = request.OneOf("order", "newest", "oldest") == "newest";
            int limit = request.Int("limit", 100, 1, 1000);
            EventPage page = await EventPage.ReadAsync(request.Log, range, request.Filter, newestFirst, request.After, limit, ct);
            return Results.Json(page, UiJson.Default.EventPage);
        }));

        app.MapGet("/api/histogram", (HttpContext context) => AnswerAsync(context, async (request, ct) =>
        {
            int buckets = request.Int("buckets", 60, 1, 500);
            TimeRange range = await request.RangeAsync(ct);
            DateTimeOffset now = await request.Log.GetStoreTimeAsync(ct);
            DateTimeOffset? from = range.From, until = range.Until;
            if (from is null || until is null)
            {
                // The log's own extent bounds an open range: its first batch, and its newest (or now, if later).
                LogSummary extent = await LogSummary.GatherAsync(request.Name, request.Log, catalog, ct);
                from ??= extent.FirstBatchTime ?? now;
                until ??= Max(now, extent.LastBatchTime?.AddTicks(10) ?? now);
                from = from > until ? until : from;
            }

            Histogram histogram = await Histogram.CountAsync(request.Log, from.Value, until.Value, openEnd: range.Until is null, request.Filter, buckets, ct);
            return Results.Json(histogram, UiJson.Default.Histogram);
        }));

        app.MapGet("/api/summary", (HttpContext context) => AnswerAsync(context, async (request, ct) =>
            Results.Json(await LogSummary.GatherAsync(request.Name, request.Log, catalog, ct), UiJson.Default.LogSummary)));

        app.MapGet("/api/follow", async (HttpContext context) =>
        {
            UiRequest request;
            try
            {
                request = UiRequest.Read(context.Request, catalog, options.Log);
                _ = request.After;
            }
            catch (ArgumentException e)
            {
                await Results.Json(new UiError(UserTerms.Of(e)), UiJson.Default.UiError, statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(context);
                return;
            }

            await FollowStream.RunAsync(context, request);
        });
    }

    /// <summary>Answers a request about a log: a malformed value is 400, a damaged object or a failing store 500, each with the message.</summary>
    private static async Task AnswerAsync(HttpContext context, Func<UiRequest, CancellationToken, Task<IResult>> answer)
    {
        LogCatalog catalog = context.RequestServices.GetRequiredService<LogCatalog>();
        UiServerOptions options = context.RequestServices.GetRequiredService<UiServerOptions>();
        IResult result;
        try
        {
            result = await answer(UiRequest.Read(context.Request, catalog, options.Log), context.RequestAborted);
        }
        catch (ArgumentException e)
        {
            result = Results.Json(new UiError(UserTerms.Of(e)), UiJson.Default.UiError, statusCode: StatusCodes.Status400BadRequest);
        }
        catch (Exception e) when (e is CorruptObjectException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            result = Results.Json(new UiError(e.Message), UiJson.Default.UiError, statusCode: StatusCodes.Status500InternalServerError);
        }

        await result.ExecuteAsync(context);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

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
