using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace ObjectLog.Extensions.Logging;

/// <summary>
/// Writes one log entry as one JSON object: <c>timestamp</c> (UTC, ISO 8601), <c>level</c>, <c>category</c>,
/// <c>eventId</c> (and <c>eventName</c>), <c>message</c> (rendered), <c>messageTemplate</c>, <c>properties</c> (each
/// structured value, numbers and booleans as JSON), <c>scopes</c>, and <c>exception</c> (type, message, stack trace,
/// inner exceptions). Properties sit in their own object so a property named like a field cannot collide with it.
/// </summary>
/// <remarks>
/// Each thread reuses one buffer and one <see cref="Utf8JsonWriter"/>, and the log copies the bytes, so an entry
/// allocates only what rendering its state needs.
/// </remarks>
internal static class LogEntryWriter
{
    private const string OriginalFormat = "{OriginalFormat}";
    private const int MaxInnerExceptions = 8;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Writes the entry; the span is valid until this thread writes another.</summary>
    public static ReadOnlySpan<byte> Write<TState>(DateTimeOffset timestamp, string category, LogLevel level, EventId eventId, TState state, Exception? exception, string message, IExternalScopeProvider? scopes)
    {
        ArrayBufferWriter<byte> buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        // Relaxed escaping keeps non-ASCII text readable; the output is JSON Lines, never embedded in HTML.
        Utf8JsonWriter writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        buffer.ResetWrittenCount();
        writer.Reset(buffer);

        writer.WriteStartObject();
        writer.WriteString("timestamp"u8, timestamp.UtcDateTime);
        writer.WriteString("level"u8, LevelName(level));
        writer.WriteString("category"u8, category);
        writer.WriteNumber("eventId"u8, eventId.Id);
        if (eventId.Name is not null)
        {
            writer.WriteString("eventName"u8, eventId.Name);
        }

        writer.WriteString("message"u8, message);
        if (state is IReadOnlyList<KeyValuePair<string, object?>> properties)
        {
            WriteProperties(writer, properties, writeTemplate: true);
        }

        if (scopes is not null)
        {
            writer.WriteStartArray("scopes"u8);
            scopes.ForEachScope(static (scope, w) => WriteScope(w, scope), writer);
            writer.WriteEndArray();
        }

        if (exception is not null)
        {
            writer.WritePropertyName("exception"u8);
            WriteException(writer, exception, MaxInnerExceptions);
        }

        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenSpan;
    }

    private static void WriteProperties(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, object?>> properties, bool writeTemplate)
    {
        // The template comes last in the logger's state, but belongs beside the message, outside "properties".
        if (writeTemplate && properties.Count > 0 && properties[^1] is { Key: OriginalFormat, Value: string template })
        {
            writer.WriteString("messageTemplate"u8, template);
        }

        bool open = false;
        for (int i = 0; i < properties.Count; i++)
        {
            KeyValuePair<string, object?> p = properties[i];
            if (p.Key == OriginalFormat)
            {
                continue;
            }

            if (!open)
            {
                writer.WriteStartObject("properties"u8);
                open = true;
            }

            writer.WritePropertyName(p.Key);
            WriteValue(writer, p.Value);
        }

        if (open)
        {
            writer.WriteEndObject();
        }
    }

    private static void WriteScope(Utf8JsonWriter writer, object? scope)
    {
        if (scope is IReadOnlyList<KeyValuePair<string, object?>> pairs)
        {
            writer.WriteStartObject();
            writer.WriteString("scope"u8, scope.ToString());
            WriteProperties(writer, pairs, writeTemplate: false);
            writer.WriteEndObject();
        }
        else
        {
            WriteValue(writer, scope);
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int n:
                writer.WriteNumberValue(n);
                break;
            case long n:
                writer.WriteNumberValue(n);
                break;
            case short n:
                writer.WriteNumberValue(n);
                break;
            case byte n:
                writer.WriteNumberValue(n);
                break;
            case uint n:
                writer.WriteNumberValue(n);
                break;
            case ulong n:
                writer.WriteNumberValue(n);
                break;
            case decimal n:
                writer.WriteNumberValue(n);
                break;
            case double n when double.IsFinite(n):
                writer.WriteNumberValue(n);
                break;
            case float n when float.IsFinite(n):
                writer.WriteNumberValue(n);
                break;
            case DateTime t:
                writer.WriteStringValue(t);
                break;
            case DateTimeOffset t:
                writer.WriteStringValue(t);
                break;
            case Guid g:
                writer.WriteStringValue(g);
                break;
            case IFormattable f:
                writer.WriteStringValue(f.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }

    private static void WriteException(Utf8JsonWriter writer, Exception exception, int depth)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, exception.GetType().FullName);
        writer.WriteString("message"u8, exception.Message);
        if (exception.StackTrace is { } stack)
        {
            writer.WriteString("stackTrace"u8, stack);
        }

        IReadOnlyList<Exception> inner = exception is AggregateException aggregate ? aggregate.InnerExceptions : exception.InnerException is { } one ? [one] : [];
        if (inner.Count > 0 && depth > 0)
        {
            writer.WriteStartArray("inner"u8);
            foreach (Exception e in inner)
            {
                WriteException(writer, e, depth - 1);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "Trace",
        LogLevel.Debug => "Debug",
        LogLevel.Information => "Information",
        LogLevel.Warning => "Warning",
        LogLevel.Error => "Error",
        LogLevel.Critical => "Critical",
        _ => "None",
    };
}
