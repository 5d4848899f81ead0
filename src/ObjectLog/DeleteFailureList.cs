using System.Collections;

namespace ObjectLog;

/// <summary>
/// The <see cref="CompactionStats.DeleteFailures"/> and <see cref="TrimStats.DeleteFailures"/> lists: equal when they
/// hold the same failures in the same order, and printed as <c>[a, b]</c>, so the records that carry one keep value
/// equality and a readable <c>ToString</c> (a record compares an ordinary list by reference).
/// </summary>
internal sealed class DeleteFailureList : IReadOnlyList<DeleteFailure>
{
    private readonly DeleteFailure[] _items;

    private DeleteFailureList(DeleteFailure[] items) => _items = items;

    public static DeleteFailureList Empty { get; } = new([]);

    public int Count => _items.Length;

    public DeleteFailure this[int index] => _items[index];

    /// <summary>A copy of <paramref name="failures"/> (so a caller's later changes do not show), or <see cref="Empty"/>.</summary>
    public static DeleteFailureList Of(IReadOnlyList<DeleteFailure> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        return failures as DeleteFailureList ?? (failures.Count == 0 ? Empty : new([.. failures]));
    }

    public IEnumerator<DeleteFailure> GetEnumerator() => ((IEnumerable<DeleteFailure>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override bool Equals(object? obj) => obj is DeleteFailureList other && _items.AsSpan().SequenceEqual(other._items);

    public override int GetHashCode() => _items.Length;

    public override string ToString() => $"[{string.Join(", ", _items)}]";
}
