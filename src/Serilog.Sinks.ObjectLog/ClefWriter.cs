using System.Buffers;
using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Serilog.Sinks.ObjectLog;

/// <summary>
/// Renders one event as one line of CLEF (<c>@t</c>, <c>@mt</c>, <c>@l</c> unless Information, <c>@x</c>,
/// <c>@r</c>, <c>@tr</c>/<c>@sp</c>, then the properties, names starting with <c>@</c> doubled) with Serilog's own
/// <see cref="CompactJsonFormatter"/>, so Serilog's tools read what it writes, and encodes it as UTF-8.
/// </summary>
/// <remarks>
/// Each thread reuses its text and byte buffers, and the log copies the bytes, so an event allocates only what its
/// formatting needs.
/// </remarks>
internal static class ClefWriter
{
    // Stateless: the formatter and its value formatter keep no per-event state, so threads share one.
    private static readonly CompactJsonFormatter Formatter = new();

    [ThreadStatic]
    private static StringWriter? t_text;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_bytes;

    [ThreadStatic]
    private static Encoder? t_encoder;

    /// <summary>Renders the event without a line end; the span is valid until this thread renders another.</summary>
    public static ReadOnlySpan<byte> Write(LogEvent logEvent)
    {
        StringWriter text = t_text ??= new StringWriter(CultureInfo.InvariantCulture);
        StringBuilder chars = text.GetStringBuilder();
        chars.Clear();
        Formatter.Format(logEvent, text);

        // The formatter ends each event with a line end; the log adds its own, and JSON escapes any inside values.
        int end = chars.Length;
        while (end > 0 && chars[end - 1] is '\n' or '\r')
        {
            end--;
        }

        chars.Length = end;

        ArrayBufferWriter<byte> bytes = t_bytes ??= new ArrayBufferWriter<byte>(1024);
        bytes.ResetWrittenCount();
        Encoder encoder = t_encoder ??= new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetEncoder();
        encoder.Reset();
        foreach (ReadOnlyMemory<char> chunk in chars.GetChunks())
        {
            encoder.Convert(chunk.Span, bytes, flush: false, out _, out _); // a surrogate pair may straddle chunks
        }

        encoder.Convert([], bytes, flush: true, out _, out _);
        return bytes.WrittenSpan;
    }
}
