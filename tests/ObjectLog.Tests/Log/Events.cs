using System.Text;

namespace ObjectLog.Tests.Log;

public static class Events
{
    public static byte[] E(string text) => Encoding.UTF8.GetBytes(text);

    public static string[] Texts(IEnumerable<byte[]> events) => events.Select(e => Encoding.UTF8.GetString(e)).ToArray();

    public static string Json(int writer, int seq) => $"{{\"writer\":{writer},\"seq\":{seq},\"msg\":\"event {seq} of writer {writer}\"}}";

    public static AppendLogOptions Quiet(int threshold = 32) => new() { FlushThreshold = threshold, FlushInterval = Timeout.InfiniteTimeSpan };
}
