namespace ObjectLog;

/// <summary>
/// A <see cref="JsonAppendLog{T}"/> could not serialize a value (nothing was appended), or a stored event does not
/// deserialize as the log's type (the read stops there; nothing stored is changed). Not transient: retrying the
/// same value or reading the same event fails the same way.
/// </summary>
public sealed class JsonEventException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, naming the event.</param>
    /// <param name="position">The stored event's position, if the failure is on read and the position is known.</param>
    /// <param name="innerException">The serializer's error.</param>
    public JsonEventException(string message, LogPosition? position, Exception? innerException)
        : base(message, innerException) => Position = position;

    /// <summary>The position of the event that did not deserialize; <see langword="null"/> for a value that could not be appended.</summary>
    public LogPosition? Position { get; }
}
