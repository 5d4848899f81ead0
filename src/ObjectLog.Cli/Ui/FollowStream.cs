using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ObjectLog.Cli.Ui;

/// <summary>
/// The <c>follow</c> endpoint: a tail of the log (<see cref="AppendLog.TailAsync"/>) as Server-Sent Events, one
/// <c>event</c> per event that passes the filter, and a comment every <see cref="KeepAlive"/> so proxies and the
/// browser keep an idle stream open. It ends when the page closes it.
/// </summary>
internal static class FollowStream
{
    internal static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <remarks>
    /// Without <c>after</c> it starts at the store's time now. With it (the newest event the page shows), events at or
    /// before it in log order are left out: the tail looks back a minute to catch late batches, and the page already
    /// has that minute's events.
    /// </remarks>
    public static async Task RunAsync(HttpContext context, UiRequest request)
    {
        // The stream ends when the page closes it, or when the server stops (it would otherwise hold the shutdown).
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        CancellationToken ct = ended.Token;
        HttpResponse response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            LogPosition? after = request.After;
            LogPosition start = after ?? LogPosition.Before(await request.Log.GetStoreTimeAsync(ct));
            await response.WriteAsync(": following\n\n", ct);
            await response.Body.FlushAsync(ct);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            IAsyncEnumerator<LogEvent> tail = request.Log.TailAsync(start, stop.Token).GetAsyncEnumerator(stop.Token);
            Task<bool> next = tail.MoveNextAsync().AsTask();
            try
            {
                while (true)
                {
                    if (await Task.WhenAny(next, Task.Delay(KeepAlive, ct)) != next)
                    {
                        await response.WriteAsync(": keep-alive\n\n", ct);
                        await response.Body.FlushAsync(ct);
                        continue;
                    }

                    if (!await next)
                    {
                        return;
                    }

                    LogEvent e = tail.Current;
                    next = tail.MoveNextAsync().AsTask();
                    string? level = EventLevel.Of(e.Data);
                    if ((after is { } a && e.Position <= a) || !request.Filter.Matches(e.Data, level))
                    {
                        continue;
                    }

                    string json = JsonSerializer.Serialize(EventView.Of(e, level), UiJson.Default.EventView);
                    await response.WriteAsync($"event: event\ndata: {json}\n\n", Encoding.UTF8, ct);
                    if (!next.IsCompleted)
                    {
                        await response.Body.FlushAsync(ct); // a burst goes out together
                    }
                }
            }
            finally
            {
                // An iterator cannot be disposed while a step runs: stop the step, let it end, then dispose.
                await stop.CancelAsync();
                await next.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                await tail.DisposeAsync();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the page closed the stream, or the server is stopping
        }
    }
}
