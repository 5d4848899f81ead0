namespace ObjectLog;

/// <summary>
/// An object that a compaction, a trim or a repair found to be garbage but could not delete, and why. Garbage left
/// behind changes nothing a reader sees, and the next compaction or trim tries again; it is reported so that a store
/// that refuses deletes (a read-only folder, credentials without delete rights) does not go unnoticed.
/// </summary>
/// <param name="Key">The object's key.</param>
/// <param name="Reason">Why it was not deleted: the store's error message. A key in a request whose outcome is unknown (one that timed out) is reported too, though the store may have deleted it.</param>
public sealed record DeleteFailure(string Key, string Reason);
