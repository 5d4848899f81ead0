namespace ObjectLog.Benchmarks.Local;

/// <summary>
/// What a careful program does without any library: each batch of events becomes one new file, fsync'd, and a
/// read lists the folder and splits every file into lines. No staging, no directory sync, no naming scheme, no
/// checksum: the floor ObjectLog's local store pays for durability and uniqueness on top of.
/// </summary>
internal static class BatchFiles
{
    public static void Write(string directory, byte[] line, int events, int batchEvents)
    {
        Directory.CreateDirectory(directory);
        for (int batch = 0, written = 0; written < events; batch++, written += batchEvents)
        {
            byte[] body = SampleData.BatchBody(line, Math.Min(batchEvents, events - written));
            using var file = new FileStream(Path.Combine(directory, $"batch_{batch:D19}.jsonl"), FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1);
            file.Write(body);
            file.Flush(flushToDisk: true);
        }
    }

    public static List<byte[]> Read(string directory)
    {
        var events = new List<byte[]>();
        string[] files = Directory.GetFiles(directory);
        Array.Sort(files, StringComparer.Ordinal);
        foreach (string path in files)
        {
            ReadOnlySpan<byte> rest = File.ReadAllBytes(path);
            for (int end; (end = rest.IndexOf((byte)'\n')) >= 0; rest = rest[(end + 1)..])
            {
                events.Add(rest[..end].ToArray());
            }
        }

        return events;
    }
}
