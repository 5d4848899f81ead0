using System.Runtime.CompilerServices;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>An event as a plan reads it; <see cref="Batch"/> is null where a merged object is read whole without its manifest.</summary>
internal readonly record struct PlannedEvent(string? Batch, int Line, byte[] Data);

/// <summary>
/// Executes read plans, fetching small objects ahead (<see cref="Prefetcher"/>). If an object vanishes under a
/// read (a compaction superseded it after the listing), the reader lists again and goes on after the last batch
/// it returned, so racing a compaction never fails a read and never returns a batch twice.
/// </summary>
internal sealed class LogReader(IObjectStore store, string logPrefix, ManifestCache manifests, AppendLogOptions options)
{
    private const int MaxRestarts = 10;

    /// <param name="pending">This writer's batches not known to be stored, to include.</param>
    /// <param name="includeBatch">Which batches to read; <see langword="null"/> for all. With a filter, every event's batch is known.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async IAsyncEnumerable<PlannedEvent> ReadAsync(IReadOnlyList<PendingBatch> pending, Func<string, bool>? includeBatch, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? lastReturned = null;
        for (int attempt = 0; ; attempt++)
        {
            Func<string, bool>? filter = lastReturned is null
                ? includeBatch
                : name => string.CompareOrdinal(name, lastReturned) > 0 && (includeBatch?.Invoke(name) ?? true);
            LogSnapshot snapshot;
            try
            {
                snapshot = await LogSnapshot.LoadAsync(store, logPrefix, manifests, pending, filter, forCompaction: false, options, cancellationToken).ConfigureAwait(false);
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
                        int line = 0;
                        foreach (byte[] data in LineReader.Split(unit.Memory))
                        {
                            yield return new PlannedEvent(unit.FirstBatch, line++, data);
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
                        await foreach (PlannedEvent e in ReadUnitAsync(unit, stream!, cancellationToken).ConfigureAwait(false))
                        {
                            yield return e;
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

    /// <summary>Splits one stored unit into events, naming each one's batch where the unit's layout is known, and checks the layout.</summary>
    internal static async IAsyncEnumerable<PlannedEvent> ReadUnitAsync(ReadUnit unit, Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IReadOnlyList<ManifestBatch>? layout = unit.Batches;
        bool whole = layout is null && unit.FirstBatch != unit.LastBatch; // merged data read whole: batches unknown
        int entry = 0;
        int line = 0;
        await foreach (byte[] data in LineReader.ReadAsync(stream, unit.Key!, cancellationToken).ConfigureAwait(false))
        {
            if (layout is not null && line == layout[entry].Lines)
            {
                if (++entry == layout.Count)
                {
                    throw new CorruptObjectException(unit.Key!, $"it holds more events from byte {unit.Range?.Offset ?? 0} than its manifest gives");
                }

                line = 0;
            }

            yield return new PlannedEvent(whole ? null : layout?[entry].Name ?? unit.FirstBatch, line++, data);
        }

        if (layout is not null && (entry != layout.Count - 1 || line != layout[entry].Lines))
        {
            throw new CorruptObjectException(unit.Key!, $"it holds fewer events from byte {unit.Range?.Offset ?? 0} than its manifest gives");
        }
    }
}
