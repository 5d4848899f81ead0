namespace ObjectLog.Internal;

/// <summary>
/// A trim record as listed: its cutoff (the floor its name gives) and when the store stamped it.
/// </summary>
/// <remarks>
/// <para>
/// A valid record hides every batch named before its cutoff that was stored before the record, and nothing stored
/// after it: a batch that lands later, whatever its name (a writer whose clock lags, a PUT retried through an outage),
/// is read. Batches in merged objects count as stored when their own batch object was (manifests keep that time;
/// where an older manifest does not, the batch counts as stored before every trim).
/// </para>
/// <para>
/// A record is valid only if its cutoff is not later than its own stamp (give or take <see cref="Tolerance"/>, for
/// stores that stamp to the second, rounded down). <see cref="Trimmer"/> never writes another kind (it refuses
/// cutoffs later than the store's time, read before the record is written), so one that is not valid was placed by
/// hand, or by a version that trusted its machine's clock. It hides nothing, <c>verify</c> reports it, and garbage
/// collection deletes it.
/// </para>
/// </remarks>
/// <param name="Key">The record's key.</param>
/// <param name="Floor">The <see cref="LogObjectName.FloorAt"/> string of its cutoff.</param>
/// <param name="StoredAt">Its <see cref="Storage.ObjectMeta.LastModified"/>.</param>
internal readonly record struct TrimRecord(string Key, string Floor, DateTimeOffset StoredAt)
{
    /// <summary>The cutoff.</summary>
    public DateTimeOffset Cutoff => LogObjectName.TimeOf(Floor);

    /// <summary>How much later than its stamp a valid record's cutoff may be: S3 stamps objects to the second, rounded down.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(1);

    /// <summary>Whether its cutoff is not later than its own stamp, as with every record a trim writes.</summary>
    public bool IsValid => Cutoff <= StoredAt + Tolerance;
}
