using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using ObjectLog.Storage;

namespace ObjectLog.Extensions.Hosting;

/// <summary>
/// Where a hosted consumer puts the events its handler failed on: an <see cref="AppendLog"/> over the consumed log's
/// store, opened at the first dead letter. Each dead letter is one JSON line, stored (appended and flushed) before
/// <see cref="WriteAsync"/> returns, so the consumer moves past an event only once its dead letter is in the store.
/// </summary>
internal sealed class DeadLetterLog(IObjectStore store, string prefix, AppendLogOptions options, TimeProvider time) : IAsyncDisposable
{
    /// <summary>The folder, under the consumed log's prefix, of the dead-letter logs of its consumers.</summary>
    public const string Folder = "_dead/";

    private AppendLog? _log;
    private LogPosition? _unstored; // the event whose dead letter was appended but not yet flushed

    /// <summary>The dead-letter log's key prefix.</summary>
    public string Prefix { get; } = prefix;

    /// <summary>The default prefix for <paramref name="consumer"/> of <paramref name="log"/>: nested, so foreign to the log's readers.</summary>
    public static string DefaultPrefix(AppendLog log, string consumer) => log.KeyPrefix + Folder + consumer;

    /// <summary>
    /// Stores a dead letter for <paramref name="logEvent"/>, which failed <paramref name="attempts"/> times, the last
    /// with <paramref name="error"/>. When the flush fails, the line stays buffered in the dead-letter log; the event
    /// is delivered again, and the write for it then only flushes, so a store that fails for a while does not store
    /// one copy per try.
    /// </summary>
    public async Task WriteAsync(string consumer, LogEvent logEvent, Exception error, int attempts, CancellationToken cancellationToken)
    {
        _log ??= new AppendLog(store, Prefix, options);
        if (_unstored != logEvent.Position)
        {
            await _log.AppendAsync(Line(consumer, logEvent, error, attempts, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            _unstored = logEvent.Position;
        }

        await _log.FlushAsync(cancellationToken).ConfigureAwait(false);
        _unstored = null;
    }

    /// <summary>
    /// The dead letter as a JSON line: <c>position</c>, <c>consumer</c>, <c>error</c> (the exception's type and
    /// message), <c>attempts</c>, <c>event</c> (the event itself if it is a JSON line, else its text, or
    /// <c>event_base64</c> when its bytes are not UTF-8), <c>failed_at</c> (ISO 8601, UTC) and <c>exception</c>
    /// (the whole exception, with its stack trace).
    /// </summary>
    public static byte[] Line(string consumer, LogEvent logEvent, Exception error, int attempts, DateTimeOffset failedAt)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("position", logEvent.Position.ToString());
            json.WriteString("consumer", consumer);
            json.WriteString("error", $"{error.GetType().FullName}: {error.Message}");
            json.WriteNumber("attempts", attempts);
            if (JsonLine.Problem(logEvent.Data) is null)
            {
                json.WritePropertyName("event");
                json.WriteRawValue(logEvent.Data, skipInputValidation: true); // checked just above
            }
            else if (Utf8.IsValid(logEvent.Data))
            {
                json.WriteString("event", Encoding.UTF8.GetString(logEvent.Data));
            }
            else
            {
                json.WriteBase64String("event_base64", logEvent.Data);
            }

            json.WriteString("failed_at", failedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("exception", error.ToString());
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public ValueTask DisposeAsync() => _log?.DisposeAsync() ?? default;
}
