using System.CommandLine;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using ObjectLog.Cli.Ui;

namespace ObjectLog.Cli;

/// <summary>
/// <c>objlog ui</c>: serves a local web page that charts, searches and follows a log (or offers the logs in the store),
/// until Ctrl+C. It binds 127.0.0.1 unless told otherwise, since the page has no authentication.
/// </summary>
internal static class UiCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "The port to listen on (0: any free port).", DefaultValueFactory = _ => 5380 };
        var listen = new Option<string?>("--listen") { Description = "The address to listen on instead of 127.0.0.1 (such as 0.0.0.0). The page has no authentication: anyone who reaches it reads the logs." };
        var open = new Option<bool>("--open") { Description = "Open the page in the default browser." };
        var command = new Command("ui", "Serve a local web page that charts, searches and follows a log (without --log, the logs found in the store), until Ctrl+C.") { port, listen, open };
        ObjlogCommand.Validate(command.Validators, result =>
        {
            if (result.GetValue(port) is < 0 or > 65535)
            {
                throw new ArgumentException("--port must be from 0 to 65535.");
            }

            if (result.GetValue(listen) is { } address && !IPAddress.TryParse(address, out _))
            {
                throw new ArgumentException($"--listen: '{address}' is not an IP address (such as 0.0.0.0 or ::).");
            }
        });
        command.SetAction((result, ct) => ObjlogCommand.Run(result, async (location, ct) =>
        {
            string? address = result.GetValue(listen);
            if (address is not null && !IPAddress.IsLoopback(IPAddress.Parse(address)))
            {
                await Console.Error.WriteLineAsync($"objlog: warning: listening on {address}: the page has no authentication, so anyone who can reach this address can read every log in the store.");
            }

            (string storePrefix, string? log) = Split(location);
            WebApplication app = UiServer.Build(new UiServerOptions
            {
                Store = location.Store,
                StorePrefix = storePrefix,
                StoreDescription = location.Description,
                Log = log,
                ListenAddress = address ?? "127.0.0.1",
                Port = result.GetValue(port),
            });
            await using (app)
            {
                try
                {
                    await app.StartAsync(ct);
                }
                catch (IOException e)
                {
                    throw new IOException($"cannot listen on port {result.GetValue(port)}: {e.Message} (choose another with --port, or --port 0 for any free one)", e);
                }

                string url = PageUrl(app.Urls.First(), log);
                Console.WriteLine($"objlog ui: {url}  (Ctrl+C to stop)");
                if (result.GetValue(open))
                {
                    await OpenBrowserAsync(url);
                }

                // Ctrl+C cancels the command; SIGTERM reaches the web host's own lifetime, which stops the application.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, app.Lifetime.ApplicationStopping);
                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // asked to stop
                }

                await app.StopAsync(CancellationToken.None);
            }

            return 0;
        }, ct, readOnly: true, logOptional: true));
        return command;
    }

    /// <summary>The store's prefix the page searches for logs under (empty or ending in '/'), and the log asked for, if any.</summary>
    private static (string StorePrefix, string? Log) Split(StoreLocation location)
    {
        if (!location.HasLog)
        {
            return (location.LogPrefix.Length == 0 ? "" : location.LogPrefix + "/", null);
        }

        int slash = location.LogPrefix.LastIndexOf('/');
        return (location.LogPrefix[..(slash + 1)], location.LogPrefix[(slash + 1)..]);
    }

    /// <summary>The page's address: loopback as a browser reaches it, with the log when one was given.</summary>
    private static string PageUrl(string bound, string? log)
    {
        var uri = new UriBuilder(bound);
        if (uri.Host is "0.0.0.0" or "[::]")
        {
            uri.Host = "127.0.0.1";
        }

        uri.Path = "/";
        uri.Query = log is null ? "" : "log=" + Uri.EscapeDataString(log);
        return uri.Uri.ToString();
    }

    /// <summary>Opens <paramref name="url"/> with the desktop's opener; where there is none, says so (the URL is printed above).</summary>
    private static async Task OpenBrowserAsync(string url)
    {
        try
        {
            ProcessStartInfo start = OperatingSystem.IsWindows() ? new ProcessStartInfo(url) { UseShellExecute = true }
                : OperatingSystem.IsMacOS() ? new ProcessStartInfo("open", [url])
                : new ProcessStartInfo("xdg-open", [url]);
            using Process? process = Process.Start(start);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"objlog: could not open a browser ({e.Message}); open {url} yourself.");
        }
    }
}
