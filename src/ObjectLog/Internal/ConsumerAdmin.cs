using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// The operator's side of named consumers: reading every consumer's state with its lag, moving one by hand, and
/// finding how far back the slowest one still reads (for retention that respects consumers). Every write is a
/// conditional update of the version just read, so a reset never silently overwrites a commit that raced it.
/// </summary>
/// <remarks>
/// A damaged state object fails what reads it, with its key named: hiding a consumer from a listing would make an
/// operator believe it gone, and trimming past one would lose its events. Nothing is ever written over it except by
/// <see cref="ResetAsync"/> with force, which replaces it whole.
/// </remarks>
internal sealed class ConsumerAdmin(IObjectStore store, string logPrefix, LogReader reader, ManifestCache manifests, AppendLogOptions options, StoreClock clock)
{
    /// <summary>How many times a reset reads and writes again when another writer changed the state under it.</summary>
    private const int MaxAttempts = 10;

    /// <summary>See <see cref="AppendLog.ListConsumersAsync"/>.</summary>
    public async Task<IReadOnlyList<ConsumerInfo>> ListAsync(CancellationToken cancellationToken)
    {
        List<(ConsumerState State, VersionedObject Stored)> states = await ReadAllAsync(cancellationToken).ConfigureAwait(false);
        if (states.Count == 0)
        {
            return [];
        }

        StoredRange range = await StoredRangeAsync(cancellationToken).ConfigureAwait(false);
        return [.. states.Select(s => Describe(s.State, s.Stored.LastModified, range))];
    }

    /// <summary>
    /// The consumer that needs the oldest part of the log, and the earliest batch time it may still read
    /// (<see cref="ConsumerState.NeedsFrom"/>; <see langword="null"/> when it needs the log from its beginning).
    /// <see langword="null"/> when the log has no consumers.
    /// </summary>
    /// <exception cref="CorruptObjectException">A state object is damaged: how far back its consumer reads is unknown.</exception>
    public async Task<(string Name, DateTimeOffset? From)?> SlowestAsync(CancellationToken cancellationToken)
    {
        (string Name, DateTimeOffset? From)? slowest = null;
        foreach ((ConsumerState state, _) in await ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            DateTimeOffset? from = state.NeedsFrom(options.TailLookBack);
            if (slowest is null || from is null || (slowest.Value.From is { } earliest && from < earliest))
            {
                slowest = (state.Consumer, from);
                if (from is null)
                {
                    break; // nothing is earlier than the beginning
                }
            }
        }

        return slowest;
    }

    /// <summary>
    /// Moves consumer <paramref name="name"/> to <paramref name="to"/> (a time, or an event of the log; see
    /// <see cref="AppendLog.ResetConsumerAsync(string, LogPosition, bool, CancellationToken)"/>), creating its state
    /// if it has none.
    /// </summary>
    /// <param name="name">The consumer, already validated.</param>
    /// <param name="to">Where it resumes after, resolved; <see langword="null"/> for the beginning.</param>
    /// <param name="force">Whether to take it from an owner whose lease has not expired.</param>
    /// <param name="cancellationToken">Cancels the reset; one cancelled after its write was sent may have taken effect.</param>
    public async Task<ConsumerInfo> ResetAsync(string name, LogPosition? to, bool force, CancellationToken cancellationToken)
    {
        string key = ConsumerNames.Key(logPrefix, name);
        for (int attempt = 1; ; attempt++)
        {
            VersionedObject? stored = await GetAsync(key, cancellationToken).ConfigureAwait(false);
            ConsumerState? current = null;
            try
            {
                current = stored is null ? null : Parse(name, stored);
            }
            catch (CorruptObjectException) when (force)
            {
                // Replaced whole: what it said is lost, and any owner it named is fenced by the new version.
            }

            DateTimeOffset storeNow = await clock.NowAsync(cancellationToken).ConfigureAwait(false);
            if (current?.Owner is { } owner && stored!.LastModified + current.Lease is var expires && expires > storeNow && !force)
            {
                throw new InvalidOperationException(
                    $"Consumer '{name}' is owned by '{owner}', whose lease runs until {expires.UtcDateTime:O} (store time) unless renewed: stop that instance, wait for its lease to expire, or reset with force, which fences it (its next commit fails).");
            }

            // Taking the consumer from an owner, live or not, counts as a takeover: its epoch moves on.
            var next = new ConsumerState(
                name,
                to,
                Newest: null,
                new HandledBatches(),
                options.TimeProvider.GetUtcNow(),
                Owner: null,
                Epoch: (current?.Epoch ?? 0) + (current?.Owner is null ? 0 : 1),
                current?.Lease ?? new LogConsumerOptions().LeaseDuration) { Writes = current?.Writes ?? 0 };
            next = next.NextWrite();
            try
            {
                await store.PutVersionedAsync(key, next.ToJson(), stored is null ? PutMode.Create : PutMode.Update, stored?.Version, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ObjectChangedException or ObjectAlreadyExistsException && attempt < MaxAttempts)
            {
                continue; // another writer moved it meanwhile: judge its new state
            }
            catch (Exception e) when (e is ObjectChangedException or ObjectAlreadyExistsException)
            {
                throw new InvalidOperationException($"Consumer '{name}' changed {MaxAttempts} times while it was being reset; nothing was written. Stop the instance committing to it, or reset with force.", e);
            }

            StoredRange range = await StoredRangeAsync(cancellationToken).ConfigureAwait(false);
            return Describe(next, await clock.NowAsync(cancellationToken).ConfigureAwait(false), range);
        }
    }

    /// <summary>Whether <paramref name="position"/> is an event of the log as a reader reads it now (trimmed events are not): reads its batch.</summary>
    public async Task<bool> HoldsAsync(LogPosition position, CancellationToken cancellationToken)
    {
        await foreach (List<PlannedEvent> block in reader.ReadAsync([], b => b == position.Batch, LogObjectName.FloorAt(position.BatchTime), cancellationToken).ConfigureAwait(false))
        {
            if (block.Exists(e => e.Batch == position.Batch && e.Line == position.Line))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every consumer's state, in name order; one that vanished since the listing is left out.</summary>
    private async Task<List<(ConsumerState State, VersionedObject Stored)>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var states = new List<(ConsumerState, VersionedObject)>();
        foreach ((string name, _) in await ConsumerNames.ListAsync(store, logPrefix, cancellationToken).ConfigureAwait(false))
        {
            if (await ReadAsync(name, cancellationToken).ConfigureAwait(false) is ({ } state, { } stored))
            {
                states.Add((state, stored));
            }
        }

        return states;
    }

    /// <summary>Consumer <paramref name="name"/>'s state and the object it was read from; both <see langword="null"/> when it has none.</summary>
    /// <exception cref="CorruptObjectException">The object is not a consumer state, or another consumer's.</exception>
    private async Task<(ConsumerState? State, VersionedObject? Stored)> ReadAsync(string name, CancellationToken cancellationToken)
        => await GetAsync(ConsumerNames.Key(logPrefix, name), cancellationToken).ConfigureAwait(false) is { } stored
            ? (Parse(name, stored), stored)
            : (null, null);

    private async Task<VersionedObject?> GetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await store.GetVersionedAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    /// <exception cref="CorruptObjectException">The object is not a consumer state, or another consumer's.</exception>
    private static ConsumerState Parse(string name, VersionedObject stored)
    {
        ConsumerState state = ConsumerState.Parse(stored.Key, stored.Content);
        if (state.Consumer != name)
        {
            // Copied by hand from another consumer's: resuming from it would confuse the two.
            throw new CorruptObjectException(stored.Key, $"it is consumer '{state.Consumer}''s state, not '{name}''s as its key says; it was left as it is, and nothing is committed over it until it is repaired or reset");
        }

        return state;
    }

    /// <summary>The oldest and newest batches a reader reads now (<see langword="null"/> for an empty log): one listing, no data read.</summary>
    private async Task<StoredRange> StoredRangeAsync(CancellationToken cancellationToken)
    {
        List<ReadUnit> units = await Relisting.RetryWhenVanishedAsync(async _ =>
            (await LogSnapshot.LoadAsync(store, logPrefix, manifests, [], includeBatch: null, options, cancellationToken, readsEveryUnit: false).ConfigureAwait(false)).Units).ConfigureAwait(false);
        return units.Count == 0 ? default : new StoredRange(units[0].FirstBatch, units[^1].LastBatch);
    }

    /// <summary>
    /// The consumer as a person reads it. Lag is the newest stored batch's time less the time of the newest batch the
    /// consumer handled (or of its start time; of the oldest stored batch when it starts from the beginning), never
    /// negative. Events behind are counted only where no stored batch comes after its position (0); otherwise
    /// counting them would mean reading everything after it.
    /// </summary>
    private static ConsumerInfo Describe(ConsumerState state, DateTimeOffset storedAt, StoredRange range)
    {
        string? reached = state.Position is not { } position ? null : position.IsTime ? position.Batch : state.Newest ?? position.Batch;
        TimeSpan? lag = null;
        long? behind = null;
        if (range.Newest is { } newest)
        {
            DateTimeOffset from = reached is null ? LogObjectName.TimeOf(range.Oldest!)
                : state.Position!.Value.IsTime ? LogObjectName.TimeOf(reached).AddTicks(10) // the time it starts at: Before names the microsecond before
                : LogObjectName.TimeOf(reached);
            TimeSpan gap = LogObjectName.TimeOf(newest) - from;
            lag = gap > TimeSpan.Zero ? gap : TimeSpan.Zero;
            bool nothingAfter = reached is not null && string.CompareOrdinal(reached, newest) > 0;
            behind = nothingAfter && state.Position!.Value.IsTime ? 0 : null;
        }
        else
        {
            behind = 0; // an empty log has nothing to be behind on
        }

        return new ConsumerInfo(
            state.Consumer,
            state.Position,
            state.CommittedAt,
            state.Owner,
            state.Owner is null ? null : storedAt + state.Lease,
            storedAt)
        {
            Lag = lag,
            EventsBehind = behind,
        };
    }

    /// <summary>The names of the oldest and newest batches a reader reads; both <see langword="null"/> for an empty log.</summary>
    private readonly record struct StoredRange(string? Oldest, string? Newest);
}
