using System.Diagnostics;
using System.Runtime.CompilerServices;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>An event as a plan reads it; <see cref="Batch"/> is null where a merged object is read whole without its manifest.</summary>
internal readonly record struct PlannedEvent(string? Batch, int Line, byte[] Data);

/// <summary>
/// The read path's driver: list (<see cref="LogInventory"/>, with a <see cref="ListingPrefetch"/> watching) → plan
/// (<see cref="LogSnapshot"/>) → fetch window, frame and check lines (<see cref="PlanReader"/>) → events, a block of
/// events per fetched part. Every step depends only on the ones before it.
/// </summary>
/// <remarks>
/// <para>
/// If an object vanishes under a read (a compaction superseded it after the listing), the reader lists again
/// (<see cref="Relisting"/>) and goes on after the last event it returned, so racing a compaction never fails a read and never returns an event twice.
/// </para>
/// <para>
/// A read stops inside a unit only between parts of a unit read in several parts, and such a unit always knows
/// its events' batches (a single batch, or a merged object whose manifest is loaded: see
/// <see cref="LogSnapshot"/>). So the place to resume is always a batch and a line in it, and a resumed read,
/// being filtered, knows every event's batch too.
/// </para>
/// </remarks>
internal sealed class LogReader(IObjectStore store, string logPrefix, ManifestCache manifests, AppendLogOptions options)
{
    /// <summary>Streams the plan's events a block at a time; a block is reused, so it is valid until the next step.</summary>
    /// <param name="pending">This writer's batches not known to be stored, to include.</param>
    /// <param name="includeBatch">Which batches to read; <see langword="null"/> for all. With a filter, every event's batch is known.</param>
    /// <param name="listAfter">Where to start listing (see <see cref="LogInventory.TakeAsync"/>), or <see langword="null"/> for the whole prefix; <paramref name="includeBatch"/> excludes every batch before it.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <remarks>One <c>objectlog.read</c> activity covers the whole read, when someone listens.</remarks>
    public IAsyncEnumerable<List<PlannedEvent>> ReadAsync(IReadOnlyList<PendingBatch> pending, Func<string, bool>? includeBatch, string? listAfter, CancellationToken cancellationToken)
    {
        Activity? activity = Tracing.Start(Tracing.Read, logPrefix);
        IAsyncEnumerable<List<PlannedEvent>> read = ReadCoreAsync(pending, includeBatch, listAfter, activity, cancellationToken);
        return activity is null ? read : TracedAsync(activity, read, cancellationToken);
    }

    /// <summary>Counts what <paramref name="read"/> returns into <paramref name="activity"/>, marks it failed if the read fails, and stops it when the read ends.</summary>
    private static async IAsyncEnumerable<List<PlannedEvent>> TracedAsync(Activity activity, IAsyncEnumerable<List<PlannedEvent>> read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long events = 0;
        long bytes = 0;
        activity.SetTag(Tracing.EventsTag, events);
        activity.SetTag(Tracing.BytesTag, bytes);
        using (activity)
        {
            IAsyncEnumerator<List<PlannedEvent>> blocks = read.GetAsyncEnumerator(cancellationToken);
            await using (blocks.ConfigureAwait(false))
            {
                while (true)
                {
                    if (!await Tracing.MoveNextAsync(blocks, activity).ConfigureAwait(false))
                    {
                        break;
                    }

                    foreach (PlannedEvent e in blocks.Current)
                    {
                        bytes += e.Data.Length + 1;
                    }

                    events += blocks.Current.Count;
                    activity.SetTag(Tracing.EventsTag, events);
                    activity.SetTag(Tracing.BytesTag, bytes);
                    yield return blocks.Current;
                }
            }
        }
    }

    private async IAsyncEnumerable<List<PlannedEvent>> ReadCoreAsync(IReadOnlyList<PendingBatch> pending, Func<string, bool>? includeBatch, string? listAfter, Activity? activity, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var block = new List<PlannedEvent>();
        string? lastReturned = null; // every batch up to here was returned whole
        PlannedEvent? lastInPart = null; // the last event returned, when its unit is not finished
        for (int attempt = 0; ; attempt++)
        {
            string? after = lastReturned;
            PlannedEvent? resume = lastInPart;
            Func<string, bool>? filter = after is null && resume is null
                ? includeBatch
                : name => (resume is { } r ? string.CompareOrdinal(name, r.Batch) >= 0 : string.CompareOrdinal(name, after) > 0) && (includeBatch?.Invoke(name) ?? true);
            LogSnapshot snapshot;
            ListingPrefetch? prefetch = attempt == 0 && store.ListsInKeyOrder ? new ListingPrefetch(store, logPrefix, filter, options, cancellationToken) : null;
            try
            {
                IAsyncEnumerable<ObjectMeta> listing = LogInventory.List(store, logPrefix, listAfter, cancellationToken);
                LogInventory inventory = await LogInventory.SortAsync(store, logPrefix, listAfter, prefetch?.WatchAsync(listing) ?? listing, cancellationToken).ConfigureAwait(false);
                snapshot = await LogSnapshot.PlanAsync(inventory, manifests, pending, filter, loadAllManifests: false, options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                if (prefetch is not null)
                {
                    await prefetch.CancelAsync().ConfigureAwait(false);
                }

                if (Relisting.MayListAgain(e, attempt))
                {
                    continue;
                }

                throw;
            }

            activity?.SetTag(Tracing.ObjectsTag, snapshot.Sources.Count);
            bool vanished = false;
            var plan = new PlanReader(store, snapshot.Units, options, cancellationToken, prefetch);
            await using (plan.ConfigureAwait(false))
            {
                while (true)
                {
                    try
                    {
                        if (!await plan.ReadNextAsync(block).ConfigureAwait(false))
                        {
                            break;
                        }
                    }
                    catch (Exception e) when (Relisting.MayListAgain(e, attempt))
                    {
                        vanished = true;
                        break;
                    }

                    if (resume is { } r)
                    {
                        // The batch the last read stopped inside: skip the lines of it already returned.
                        block.RemoveAll(e => e.Batch == r.Batch && e.Line <= r.Line);
                    }

                    if (plan.UnitComplete)
                    {
                        lastReturned = plan.Unit!.LastBatch;
                        lastInPart = null;
                    }
                    else if (block.Count > 0)
                    {
                        lastInPart = block[^1];
                    }

                    if (block.Count > 0)
                    {
                        yield return block;
                        block.Clear();
                    }
                }
            }

            if (!vanished)
            {
                yield break;
            }
        }
    }
}
