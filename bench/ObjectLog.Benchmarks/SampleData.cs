using System.Text;
using ObjectLog.Storage;

namespace ObjectLog.Benchmarks;

/// <summary>The events every benchmark appends (an error-journal line, one JSON object) and the batches and logs built from them.</summary>
internal static class SampleData
{
    private const string Head = "{\"level\":\"error\",\"service\":\"checkout\",\"msg\":\"payment provider timed out after 30s\",\"trace\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"attempt\":3,\"at\":\"2026-11-24T08:40:49.123Z\",\"pad\":\"";

    /// <summary>An event that takes <paramref name="bytesWithNewline"/> bytes in a batch object, its newline included; padding sets the size, so figures stay comparable across benchmarks.</summary>
    public static byte[] Event(int bytesWithNewline)
    {
        int pad = bytesWithNewline - 1 - Head.Length - "\"}".Length;
        ArgumentOutOfRangeException.ThrowIfNegative(pad, nameof(bytesWithNewline));
        return Encoding.UTF8.GetBytes(Head + new string('x', pad) + "\"}");
    }

    /// <summary>A batch object's bytes: <paramref name="events"/> copies of <paramref name="line"/>, each followed by a newline.</summary>
    public static byte[] BatchBody(byte[] line, int events)
    {
        var body = new byte[events * (line.Length + 1)];
        for (int i = 0; i < events; i++)
        {
            Span<byte> slot = body.AsSpan(i * (line.Length + 1), line.Length + 1);
            line.CopyTo(slot);
            slot[^1] = (byte)'\n';
        }

        return body;
    }

    /// <summary>Stores a log of <paramref name="objects"/> batch objects of <paramref name="eventsPerObject"/> events each, as AppendLog writes them (with <paramref name="compression"/>, or the default), for a read or compaction to work on.</summary>
    public static async Task WriteSmallObjectsAsync(IObjectStore store, string prefix, byte[] line, int objects, int eventsPerObject, LogCompression? compression = null)
    {
        var options = new AppendLogOptions { FlushThreshold = eventsPerObject, FlushInterval = Timeout.InfiniteTimeSpan };
        options.Compression = compression ?? options.Compression;
        await using var writer = new AppendLog(store, prefix, options);
        for (int i = 0; i < objects * eventsPerObject; i++)
        {
            await writer.AppendAsync(line);
        }
    }
}
