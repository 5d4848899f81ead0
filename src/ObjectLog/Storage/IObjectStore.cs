namespace ObjectLog.Storage;

/// <summary>
/// The minimal contract a backend implements: immutable objects addressed by string keys.
/// </summary>
/// <remarks>
/// <para>
/// Keys are <c>/</c>-separated paths such as <c>logs/app/batch_…jsonl</c>; see <see cref="ObjectKey"/> for
/// the rules every store enforces. No caller can observe a partially written object: an object is either
/// absent or complete.
/// </para>
/// <para>
/// Everything else (byte-array helpers, retries, the log itself) is built on top of these five members, so a
/// new backend only has to get them right; the shared conformance suite says what "right" means. A sixth,
/// <see cref="DeleteManyAsync"/>, has a default built on <see cref="DeleteAsync"/>; a backend with a bulk delete
/// request overrides it.
/// </para>
/// </remarks>
public interface IObjectStore
{
    /// <summary>
    /// Whether <see cref="PutMode.Create"/> is enforced atomically by the store, so that of many racing
    /// create-only puts of one key exactly one succeeds. Where this is <see langword="false"/> the store makes a
    /// best effort (check, then write) and a race can let two writers both succeed.
    /// </summary>
    bool SupportsCreateOnly { get; }

    /// <summary>
    /// Whether <see cref="ListAsync"/> returns keys in ordinal order (S3 general-purpose buckets and Azure do; a
    /// directory walk does not). A hint only: callers still sort. Readers use it to start fetching the first
    /// objects before a long listing ends. Default <see langword="false"/>.
    /// </summary>
    bool ListsInKeyOrder => false;

    /// <summary>
    /// How many keys one request of <see cref="DeleteManyAsync"/> deletes at most: 1 where it deletes one by one (the
    /// default), 1,000 for S3's <c>DeleteObjects</c>. Only used to count requests (<c>objectlog.requests</c>); a store
    /// that overrides <see cref="DeleteManyAsync"/> with a bulk request should override this too.
    /// </summary>
    int MaxKeysPerDeleteRequest => 1;

    /// <summary>
    /// The store's clock now: the time it would stamp as <see cref="ObjectMeta.LastModified"/> on an object written
    /// at this moment, as near as one request can tell (a cloud store reads the <c>Date</c> of a response, which is
    /// whole seconds and rounded down, so the answer is behind the store's clock by up to a second and a round trip,
    /// never ahead of it).
    /// </summary>
    /// <remarks>
    /// Machines disagree about the time, and a process can pause between reading a clock and acting on it. Every
    /// decision that compares times of different processes (a trim's cutoff against now, grace periods, what counts as
    /// abandoned, where a tail looks back to) is made on this clock, the one the store stamps its objects with, never
    /// on one machine's. The default is this machine's clock, which is right only for a store that lives on this
    /// machine; a store whose objects are stamped elsewhere overrides it.
    /// </remarks>
    /// <exception cref="ObjectStoreException">The store failed.</exception>
    ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default)
        => ValueTask.FromResult(DateTimeOffset.UtcNow);

    /// <summary>
    /// Whether the store does <see cref="PutMode.Update"/> (replace only if unchanged) atomically, with
    /// <see cref="GetVersionedAsync"/> and <see cref="PutVersionedAsync"/>: of many racing updates from one version,
    /// exactly one succeeds. A store that cannot (s3rver; S3-compatible servers that ignore <c>If-Match</c>) says
    /// <see langword="false"/>, the default, and what needs it (a consumer's lease) refuses to run there.
    /// </summary>
    bool SupportsConditionalUpdate => false;

    /// <summary>
    /// Reads a small object whole, with its version, in one request: the version names exactly the bytes returned.
    /// For objects that are replaced under a condition (a consumer's checkpoint and lease), not for log data.
    /// </summary>
    /// <exception cref="ObjectNotFoundException">No object has that key.</exception>
    /// <exception cref="NotSupportedException"><see cref="SupportsConditionalUpdate"/> is <see langword="false"/>.</exception>
    /// <exception cref="ObjectStoreException">The store failed.</exception>
    Task<VersionedObject> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
        => Task.FromException<VersionedObject>(new NotSupportedException($"{GetType().Name} cannot read an object with its version (it does not support conditional updates)."));

    /// <summary>
    /// Writes a small object under a condition and returns the version it now has: with <see cref="PutMode.Create"/>
    /// only if the key is free, with <see cref="PutMode.Update"/> only if the object is still at
    /// <paramref name="version"/>, with <see cref="PutMode.Overwrite"/> always.
    /// </summary>
    /// <param name="key">The object's key.</param>
    /// <param name="content">The whole object.</param>
    /// <param name="mode">The condition.</param>
    /// <param name="version">
    /// For <see cref="PutMode.Update"/>, the version read with <see cref="GetVersionedAsync"/> or listed in
    /// <see cref="ObjectMeta.Version"/>; <see langword="null"/> for the other modes.
    /// </param>
    /// <param name="cancellationToken">Stops the request; one already sent may still take effect.</param>
    /// <exception cref="ArgumentException"><paramref name="version"/> is missing for an update, or given for another mode.</exception>
    /// <exception cref="ObjectAlreadyExistsException"><paramref name="mode"/> is <see cref="PutMode.Create"/> and the key exists.</exception>
    /// <exception cref="ObjectChangedException"><paramref name="mode"/> is <see cref="PutMode.Update"/> and the object changed or is gone.</exception>
    /// <exception cref="NotSupportedException"><see cref="SupportsConditionalUpdate"/> is <see langword="false"/>.</exception>
    /// <exception cref="ObjectStoreException">The store failed.</exception>
    Task<string> PutVersionedAsync(string key, ReadOnlyMemory<byte> content, PutMode mode, string? version, CancellationToken cancellationToken = default)
        => Task.FromException<string>(new NotSupportedException($"{GetType().Name} does not support conditional updates."));

    /// <summary>Writes an object from <paramref name="content"/>, read from its current position to its end.</summary>
    /// <exception cref="ObjectAlreadyExistsException">
    /// <paramref name="mode"/> is <see cref="PutMode.Create"/> and an object with that key exists.
    /// </exception>
    /// <exception cref="ObjectStoreException">The store failed; <see cref="ObjectStoreException.IsTransient"/> says whether a retry may help.</exception>
    Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes an object as <see cref="PutAsync(string, Stream, PutMode, CancellationToken)"/> does, given the CRC-32C
    /// (Castagnoli) of the bytes <paramref name="content"/> holds, computed by the caller when the bytes were made. A
    /// store whose server can verify a checksum on upload sends it, so bytes damaged on the way (in memory after they
    /// were checksummed, or on the wire) are refused instead of stored. The default ignores the checksum.
    /// </summary>
    /// <exception cref="ObjectAlreadyExistsException">
    /// <paramref name="mode"/> is <see cref="PutMode.Create"/> and an object with that key exists.
    /// </exception>
    /// <exception cref="ObjectStoreException">
    /// The store failed, or refused the bytes because they do not match <paramref name="crc32C"/> (transient: the
    /// damage may have happened on the wire).
    /// </exception>
    Task PutAsync(string key, Stream content, PutMode mode, uint crc32C, CancellationToken cancellationToken = default)
        => PutAsync(key, content, mode, cancellationToken);

    /// <summary>
    /// Opens an object, or the part of it that <paramref name="range"/> names, for reading. A range that runs past
    /// the end of the object yields the bytes that exist (none if it starts at or past the end).
    /// </summary>
    /// <exception cref="ObjectNotFoundException">No object has that key.</exception>
    Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes an object. Deleting a key that does not exist succeeds.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes every object in <paramref name="keys"/>, in as few requests as the store allows. A key that does not
    /// exist counts as deleted, as with <see cref="DeleteAsync"/>; a key given twice is deleted once.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Every key is checked against the <see cref="ObjectKey"/> rules before anything is sent, so an invalid key
    /// means nothing is deleted. The deletes are not one atomic step: when some fail, the others still happen, and
    /// the <see cref="BulkDeleteException"/> says which keys are which. A key is reported deleted only when the
    /// store confirmed it; a key whose outcome is unknown (its request timed out) is reported failed.
    /// </para>
    /// <para>
    /// The default deletes the keys one by one with <see cref="DeleteAsync"/>, 8 at a time.
    /// </para>
    /// </remarks>
    /// <param name="keys">The keys to delete, in any order; none is fine.</param>
    /// <param name="cancellationToken">Stops the deletes not yet sent; those already sent may still happen.</param>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> or one of its keys is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A key breaks the <see cref="ObjectKey"/> rules; nothing was deleted.</exception>
    /// <exception cref="BulkDeleteException">Some keys could not be deleted; it lists them with their errors, and the keys that were.</exception>
    Task DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
        => BulkDelete.DeleteEachAsync(this, keys, BulkDelete.DefaultConcurrency, cancellationToken);

    /// <summary>
    /// Lists every object whose key starts with <paramref name="prefix"/> (a plain string prefix, not a folder:
    /// keys in nested "folders" are included), optionally only those that sort after <paramref name="startAfter"/>
    /// in ordinal order.
    /// </summary>
    /// <remarks>The order of the results is not guaranteed; callers that need key order sort them.</remarks>
    IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, CancellationToken cancellationToken = default);
}
