using System.Text;

namespace ObjectLog.Tests.Log;

public static class Events
{
    public static byte[] E(string text) => Encoding.UTF8.GetBytes(text);

    public static string[] Texts(IEnumerable<byte[]> events) => events.Select(e => Encoding.UTF8.GetString(e)).ToArray();

    public static string Json(int writer, int seq) => $"{{\"writer\":{writer},\"seq\":{seq},\"msg\":\"event {seq} of writer {writer}\"}}";

    /// <summary>The batch a stored batch object holds (its name without the prefix and without its checksum).</summary>
    public static string BatchOf(string key) => ObjectLog.Internal.LogObjectName.TryParse(key[(key.LastIndexOf('/') + 1)..], out var name) ? name.First : throw new ArgumentException($"'{key}' is not a batch object");

    public static AppendLogOptions Quiet(int threshold = 32) => new() { FlushThreshold = threshold, FlushInterval = Timeout.InfiniteTimeSpan };

    /// <summary><see cref="Quiet"/>, storing plain JSON Lines: for tests about the bytes and byte ranges of stored objects.</summary>
    public static AppendLogOptions Plain(int threshold = 32) => new() { FlushThreshold = threshold, FlushInterval = Timeout.InfiniteTimeSpan, Compression = LogCompression.None };

    public static async Task<List<LogEvent>> ToListAsync(IAsyncEnumerable<LogEvent> events)
    {
        var list = new List<LogEvent>();
        await foreach (LogEvent e in events)
        {
            list.Add(e);
        }

        return list;
    }

    /// <summary>Asserts that <paramref name="read"/> is a subsequence of <paramref name="appended"/>: in append order, none twice, none invented.</summary>
    public static void AssertInOrderOnce(IReadOnlyList<string> appended, IReadOnlyList<string> read)
    {
        int next = 0;
        foreach (string e in read)
        {
            while (next < appended.Count && appended[next] != e)
            {
                next++;
            }

            Assert.True(next < appended.Count, $"read '{e}' out of order, twice, or never appended: read {string.Join(",", read)}; appended {string.Join(",", appended)}");
            next++;
        }
    }
}
