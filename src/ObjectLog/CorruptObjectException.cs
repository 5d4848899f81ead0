using ObjectLog.Storage;

namespace ObjectLog;

/// <summary>
/// An object under a log prefix has ObjectLog's name but not a sound body: truncated, empty, or a manifest that
/// does not parse or does not match its data. The read fails rather than return a partial or wrong log.
/// </summary>
public sealed class CorruptObjectException : ObjectStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="key">The full key of the bad object.</param>
    /// <param name="problem">What is wrong with it, as a phrase.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public CorruptObjectException(string key, string problem, Exception? innerException = null)
        : base($"Object '{key}' is corrupt: {problem}.", key, isTransient: false, innerException)
    {
    }
}
