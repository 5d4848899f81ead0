namespace ObjectLog;

/// <summary>
/// A <see cref="LogConsumer"/> no longer owns its name: another instance took it over (its lease expired, or a reset
/// forced it), or it could not renew its lease in time. Nothing it commits lands any more, and its read stops; events
/// it delivered after its last commit will be delivered again to the new owner.
/// </summary>
public sealed class ConsumerFencedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public ConsumerFencedException(string consumer, string reason, Exception? innerException = null)
        : base($"Consumer '{consumer}' is no longer owned by this instance: {reason}.", innerException)
    {
        Consumer = consumer;
    }

    /// <summary>The consumer's name.</summary>
    public string Consumer { get; }
}
