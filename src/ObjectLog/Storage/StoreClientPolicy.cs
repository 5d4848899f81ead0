namespace ObjectLog.Storage;

/// <summary>
/// How the SDK clients that a store URL's scheme creates retry and time out. The library passes none, so each SDK
/// keeps its own policy (tens of seconds of backoff against an endpoint that does not answer, right for a service
/// riding out a blip); <c>objlog</c> passes <see cref="FailFast"/>, because a person at a terminal who mistyped an
/// endpoint should hear so in seconds, not after the SDK's retry budget.
/// </summary>
/// <remarks>
/// A scheme registered with <see cref="ObjectStoreUrl.Register(string, string, IReadOnlyCollection{string}, Func{StoreUrl, ObjectStoreLocation})"/>
/// finds it in <see cref="StoreUrl.ClientPolicy"/> and applies it to the client it creates, if that client can retry.
/// </remarks>
public sealed class StoreClientPolicy
{
    /// <summary>Creates a policy.</summary>
    /// <param name="maxRetries">Retries after the first attempt of a request; 0 for none.</param>
    /// <param name="requestTimeout">The time one attempt may take, connection included.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxRetries"/> is negative, or <paramref name="requestTimeout"/> is not positive.</exception>
    public StoreClientPolicy(int maxRetries, TimeSpan requestTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(requestTimeout, TimeSpan.Zero);
        MaxRetries = maxRetries;
        RequestTimeout = requestTimeout;
    }

    /// <summary>One retry and 5 s an attempt: a closed port fails at once, a black hole in about 10 s.</summary>
    public static StoreClientPolicy FailFast { get; } = new(1, TimeSpan.FromSeconds(5));

    /// <summary>Retries after the first attempt of a request.</summary>
    public int MaxRetries { get; }

    /// <summary>The time one attempt may take, connection included.</summary>
    public TimeSpan RequestTimeout { get; }
}
