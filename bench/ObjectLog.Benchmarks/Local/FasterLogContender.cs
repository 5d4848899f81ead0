using FASTER.core;

namespace ObjectLog.Benchmarks.Local;

/// <summary>
/// Microsoft FASTER's FasterLog, a local-disk append-only log, used the way its documentation shows: settings
/// with a base directory (its default local device and commit files), Enqueue per event, a commit per batch.
/// </summary>
internal sealed class FasterLogContender : IDisposable
{
    private readonly FasterLogSettings _settings;
    private readonly FasterLog _log;

    private FasterLogContender(FasterLogSettings settings)
    {
        _settings = settings;
        _log = new FasterLog(settings);
    }

    /// <summary>A log stored in <paramref name="directory"/>.</summary>
    public static FasterLogContender OnDisk(string directory) => new(new FasterLogSettings(directory));

    /// <summary>A log whose device discards what it is given (FASTER's NullDevice), to time the in-memory append path alone.</summary>
    public static FasterLogContender Discarding(string commitDirectory) => new(new FasterLogSettings { LogDevice = new NullDevice(), LogCommitDir = commitDirectory });

    /// <summary>Enqueues each event and waits for a commit after every <paramref name="batchEvents"/> (and after the last): then they are on disk.</summary>
    public async Task AppendDurablyAsync(byte[] line, int events, int batchEvents)
    {
        for (int i = 1; i <= events; i++)
        {
            _log.Enqueue(line);
            if (i % batchEvents == 0 || i == events)
            {
                await _log.CommitAsync();
            }
        }
    }

    public void Append(byte[] line, int events)
    {
        for (int i = 0; i < events; i++)
        {
            _log.Enqueue(line);
        }
    }

    /// <summary>Scans the whole committed log into memory, a copy of each entry.</summary>
    public List<byte[]> ReadAll()
    {
        var entries = new List<byte[]>();
        using FasterLogScanIterator iterator = _log.Scan(_log.BeginAddress, _log.TailAddress);
        while (iterator.GetNext(out byte[] entry, out int length, out _))
        {
            entries.Add(entry.Length == length ? entry : entry[..length]);
        }

        return entries;
    }

    /// <summary>Scans the whole committed log, counting entries: each is copied out, as a reader is given it, and dropped.</summary>
    public int Count()
    {
        int count = 0;
        using FasterLogScanIterator iterator = _log.Scan(_log.BeginAddress, _log.TailAddress);
        while (iterator.GetNext(out byte[] _, out int _, out _))
        {
            count++;
        }

        return count;
    }

    public void Dispose()
    {
        _log.Dispose();
        _settings.Dispose();
    }
}
