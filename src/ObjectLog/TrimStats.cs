namespace ObjectLog;

/// <summary>What one <see cref="AppendLog.TrimAsync"/> did.</summary>
/// <param name="Before">The cutoff it recorded (to the microsecond, rounded down): every batch whose time is earlier is gone for readers.</param>
/// <param name="DeletedObjects">
/// Objects it deleted: those wholly before the effective cutoff, plus any other garbage a compaction would collect.
/// A merged object that also holds later batches keeps its trimmed bytes until a compaction rewrites it; a delete
/// that failed is left for the next trim or compaction (see <see cref="DeleteFailures"/>). Neither changes what readers see.
/// </param>
public sealed record TrimStats(DateTimeOffset Before, int DeletedObjects)
{
    /// <summary>
    /// The objects it meant to delete but could not, each with the store's reason, in key order; empty when every
    /// delete went through. A failed delete never fails the trim: its record is the commit, and readers already skip
    /// what it left.
    /// </summary>
    public IReadOnlyList<DeleteFailure> DeleteFailures { get; init; } = [];

    /// <summary>Whether <paramref name="other"/> says the same: the same cutoff and count, and the same delete failures in the same order.</summary>
    public bool Equals(TrimStats? other)
        => other is not null && Before == other.Before && DeletedObjects == other.DeletedObjects
            && DeleteFailures.SequenceEqual(other.DeleteFailures);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Before, DeletedObjects, DeleteFailures.Count);

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Before = ").Append(Before).Append(", ");
        builder.Append("DeletedObjects = ").Append(DeletedObjects).Append(", ");
        builder.Append("DeleteFailures = [").AppendJoin(", ", DeleteFailures).Append(']');
        return true;
    }
}
