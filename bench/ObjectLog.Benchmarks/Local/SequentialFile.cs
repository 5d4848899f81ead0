namespace ObjectLog.Benchmarks.Local;

/// <summary>The disk's own speed for this workload: one file, each batch's bytes appended and fsync'd, nothing else.</summary>
internal static class SequentialFile
{
    public static void Write(string directory, byte[] line, int events, int batchEvents)
    {
        Directory.CreateDirectory(directory);
        using var file = new FileStream(Path.Combine(directory, "log.jsonl"), FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1);
        for (int written = 0; written < events; written += batchEvents)
        {
            file.Write(SampleData.BatchBody(line, Math.Min(batchEvents, events - written)));
            file.Flush(flushToDisk: true);
        }
    }
}
