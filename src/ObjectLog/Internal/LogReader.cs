using System.Runtime.CompilerServices;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// Executes read plans. Small objects are fetched ahead, a few at a time, so a read of many batches costs about
/// one round trip per <see cref="Prefetcher.Count"/> objects rather than one each; large ones stream. If an object
/// vanishes under a read (a compaction superseded it after the listing), the reader lists again and goes on after
/// the last batch it returned, so racing a compaction never fails a read and never returns a batch twice.
/// </summary>
internal sealed class LogReader(IObjectStore store, string logPrefix, ManifestCache manifests, AppendLogOptions options)
{
    private const int MaxRestarts = 10;

    public async IAsyncEnumerable<byte[]> ReadAsync(IReadOnlyList<PendingBatch> pending, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? lastReturned = null;
        for (int attempt = 0; ; attempt++)
        {
            LogSnapshot snapshot;
            try
            {
                snapshot = await LogSnapshot.LoadAsync(store, logPrefix, manifests, pending, lastReturned, forCompaction: false, options, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectNotFoundException) when (attempt < MaxRestarts)
            {
                continue;
            }

            bool vanished = false;
            using var ahead = new Prefetcher(store, snapshot.Units, cancellationToken);
            try
            {
                foreach (ReadUnit unit in snapshot.Units)
                {
                    if (unit.Key is null)
                    {
                        foreach (byte[] line in LineReader.Split(unit.Memory))
                        {
                            yield return line;
                        }

                        lastReturned = unit.LastBatch;
                        continue;
                    }

                    Stream? stream = null;
                    try
                    {
                        stream = await ahead.OpenNextAsync().ConfigureAwait(false);
                    }
                    catch (ObjectNotFoundException) when (attempt < MaxRestarts)
                    {
                        vanished = true;
                    }

                    if (vanished)
                    {
                        break;
                    }

                    await using (stream!.ConfigureAwait(false))
                    {
                        long expected = unit.Batches?.Sum(b => (long)b.Lines) ?? -1;
                        long count = 0;
                        await foreach (byte[] line in LineReader.ReadAsync(stream!, unit.Key, cancellationToken).ConfigureAwait(false))
                        {
                            if (++count > expected && expected >= 0)
                            {
                                break;
                            }

                            yield return line;
                        }

                        if (expected >= 0 && count != expected)
                        {
                            throw new CorruptObjectException(unit.Key, $"its manifest gives {expected} events from byte {unit.Range?.Offset ?? 0} but the data holds {count}");
                        }
                    }

                    lastReturned = unit.LastBatch;
                }
            }
            finally
            {
                await ahead.DrainAsync().ConfigureAwait(false);
            }

            if (!vanished)
            {
                yield break;
            }
        }
    }
}
