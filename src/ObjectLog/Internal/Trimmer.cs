using System.Diagnostics;
using System.Text;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// Retention, as a commit like compaction's: first a small create-only trim record (the cutoff is in its name),
/// then deletes of what it hides. From the record on, every listing applies every valid record it finds
/// (<see cref="TrimRecord"/>): readers, tails, counts and compactions act as if the batches it hides were gone, even
/// bytes still inside a merged object; the deletes are garbage collection.
/// </summary>
/// <remarks>
/// <para>
/// Time is the store's. A cutoff later than the store's clock (read through <see cref="StoreClock"/>, never this
/// machine's) is refused, so a trimmer whose clock is a year fast cannot erase the present. A record hides only what was stored before it, so a batch stored after it is read whatever its
/// name, and a record whose cutoff is later than its own stamp (placed by hand, or by an older version that trusted
/// its machine's clock) hides nothing at all.
/// </para>
/// <para>
/// Crash at any step: before the record, nothing happened; after it, the log is trimmed whatever the deletes did.
/// Races: nothing a record hides comes back (a record is deleted only once a record with a later cutoff, stored no
/// earlier, has been there for longer than <see cref="AppendLogOptions.AbandonedMergeGracePeriod"/>), and only what
/// some record hides is deleted.
/// </para>
/// </remarks>
internal sealed class Trimmer(IObjectStore store, string logPrefix, ManifestCache manifests, AppendLogOptions options, PutMode writeMode, StoreClock clock)
{
    private readonly GarbageCollector _collector = new(store, logPrefix, manifests, options, writeMode, clock);

    /// <summary>
    /// Refuses a cutoff later than the store's time, beyond the <see cref="TrimRecord.Tolerance"/> of a clock read to
    /// the second or a file system's coarse timestamps (with a fresh reading where the estimate is too close to tell).
    /// </summary>
    public async Task CheckCutoffAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        DateTimeOffset storeNow = await clock.NowAsync(cancellationToken).ConfigureAwait(false);
        if (before > storeNow)
        {
            await clock.ReadAsync(cancellationToken, fresh: true).ConfigureAwait(false);
            storeNow = clock.Estimate()!.Value;
        }

        if (before > storeNow + TrimRecord.Tolerance)
        {
            throw new ArgumentOutOfRangeException(
                nameof(before),
                before,
                $"The cutoff {before:O} is later than the store's time, {storeNow:O} (this machine's clock says {options.TimeProvider.GetUtcNow():O}): a trim there would hide batches being written now.");
        }
    }

    /// <remarks>
    /// One <c>objectlog.trim</c> activity covers it, when someone listens: the cutoff and the objects deleted. With
    /// <paramref name="countHidden"/> (for a caller who reads the answer, not retention's timer) it first lists what
    /// readers see before the cutoff, and reads each batch object it hides once, to count its events.
    /// </remarks>
    public async Task<TrimStats> TrimAsync(DateTimeOffset before, CancellationToken cancellationToken, bool countHidden = true)
    {
        using Activity? activity = Tracing.Start(Tracing.Trim, logPrefix);
        try
        {
            TrimStats stats = await TrimCoreAsync(before, countHidden, cancellationToken).ConfigureAwait(false);
            if (activity is not null)
            {
                activity.SetTag(Tracing.BeforeTag, stats.Before.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                activity.SetTag(Tracing.ObjectsTag, stats.DeletedObjects);
            }

            return stats;
        }
        catch (Exception e) when (Tracing.Fail(activity, e))
        {
            throw; // never: the filter only records
        }
    }

    private async Task<TrimStats> TrimCoreAsync(DateTimeOffset before, bool countHidden, CancellationToken cancellationToken)
    {
        await CheckCutoffAsync(before, cancellationToken).ConfigureAwait(false);
        long cutoff = LogObjectName.Microseconds(before);
        string name = LogObjectName.Trim(cutoff, BatchNameGenerator.NewId());
        string floor = LogObjectName.FloorAt(DateTimeOffset.UnixEpoch.AddTicks(cutoff * 10));
        List<VisibleBatch> visible = countHidden ? await VisibleBeforeAsync(floor, cancellationToken).ConfigureAwait(false) : [];
        byte[] body = Encoding.UTF8.GetBytes($"{{\"format\":\"objectlog.trim/1\",\"before\":\"{DateTimeOffset.UnixEpoch.AddTicks(cutoff * 10):O}\"}}");

        // The commit point. After an ambiguous failure the record may exist: the log is then trimmed, and a retry
        // (a new record with the same cutoff) changes nothing.
        await store.PutAsync(logPrefix + name, body, writeMode, cancellationToken).ConfigureAwait(false);
        return await Relisting.RetryWhenVanishedAsync(async _ =>
        {
            // A compaction may supersede a manifest under the listing: then it lists again.
            GarbagePlan plan = await _collector.PlanAsync(cancellationToken).ConfigureAwait(false);

            // Of what readers saw before the cutoff, the record hides what was stored before it. A listing that
            // missed the record (a later trim outdated it and it was collected) leaves the store's time instead.
            DateTimeOffset recordStored = plan.Inventory.Trims.Where(t => t.Key == logPrefix + name).Select(t => t.StoredAt).DefaultIfEmpty(plan.Now).First();
            List<VisibleBatch> hidden = visible.Where(b => b.StoredAt < recordStored).ToList();
            long events = await CountEventsAsync(hidden, cancellationToken).ConfigureAwait(false); // before the deletes
            GarbageCollected collected = await Garbage.DeleteAsync(store, plan.Objects, cancellationToken).ConfigureAwait(false);
            return new TrimStats(DateTimeOffset.UnixEpoch.AddTicks(cutoff * 10), collected.Deleted)
            {
                DeleteFailures = collected.Failures,
                HiddenBatches = hidden.Count,
                HiddenEvents = events,
                MergedObjectsHoldingTrimmed = plan.Snapshot.HoldsTrimmed.Count,
            };
        }).ConfigureAwait(false);
    }

    /// <summary>The batches named before <paramref name="floor"/> that a reader reads now, each once: what a trim there may hide.</summary>
    private async Task<List<VisibleBatch>> VisibleBeforeAsync(string floor, CancellationToken cancellationToken)
    {
        // A filter makes the plan load every manifest, so each batch in merged data is known with its lines.
        LogSnapshot snapshot = await Relisting.RetryWhenVanishedAsync(_ => LogSnapshot.LoadAsync(store, logPrefix, manifests, [], includeBatch: b => string.CompareOrdinal(b, floor) < 0, options, cancellationToken)).ConfigureAwait(false);
        return snapshot.Units.SelectMany(u => u.Batches is { } held
                ? held.Select(b => new VisibleBatch(b.Stored ?? DateTimeOffset.MinValue, b.Lines, null))
                : [new VisibleBatch(u.StoredAt ?? DateTimeOffset.MinValue, null, u.Key)])
            .ToList();
    }

    /// <summary>
    /// The events of <paramref name="batches"/>: a manifest's line count, or the lines of a batch object, read once
    /// (one GET each, in parallel). A batch object another trim or compaction deleted meanwhile counts none.
    /// </summary>
    private async Task<long> CountEventsAsync(List<VisibleBatch> batches, CancellationToken cancellationToken)
    {
        long events = batches.Sum(b => (long)(b.Lines ?? 0));
        await Parallel.ForEachAsync(
            batches.Where(b => b.Lines is null).Select(b => b.Key!),
            new ParallelOptions { MaxDegreeOfParallelism = options.ReadConcurrency, CancellationToken = cancellationToken },
            async (key, ct) =>
            {
                try
                {
                    Stream body = FrameCodec.Decoding(await store.GetAsync(key, null, ct).ConfigureAwait(false), LogObjectName.EncodingOfData(key));
                    await using (body.ConfigureAwait(false))
                    {
                        Interlocked.Add(ref events, await CountLinesAsync(body, ct).ConfigureAwait(false));
                    }
                }
                catch (ObjectNotFoundException)
                {
                    // collected under this trim: its events are gone either way
                }
            }).ConfigureAwait(false);
        return events;
    }

    /// <summary>Newlines in a batch object: each event is followed by one.</summary>
    private static async Task<long> CountLinesAsync(Stream body, CancellationToken cancellationToken)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            long lines = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
            }

            return lines;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A batch a reader reads now: when its own object was stored, and its events' count where a manifest gives it, else the batch object's key.</summary>
    private readonly record struct VisibleBatch(DateTimeOffset StoredAt, int? Lines, string? Key);

    /// <summary>The latest cutoff of a valid trim record, or <see langword="null"/> if there is none. One small LIST.</summary>
    public async Task<DateTimeOffset?> CutoffAsync(CancellationToken cancellationToken)
    {
        string? floor = null;
        await foreach (ObjectMeta meta in store.ListAsync(logPrefix + LogObjectName.TrimPrefix, null, cancellationToken).ConfigureAwait(false))
        {
            if (LogInventory.Classify(logPrefix, meta) is { Kind: LogObjectKind.Trim } parsed
                && new TrimRecord(meta.Key, parsed.First, meta.LastModified).IsValid
                && string.CompareOrdinal(parsed.First, floor) > 0)
            {
                floor = parsed.First;
            }
        }

        return floor is null ? null : LogObjectName.TimeOf(floor);
    }
}
