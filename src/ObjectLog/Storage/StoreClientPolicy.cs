namespace ObjectLog.Storage;

/// <summary>
/// How the SDK clients that a store URL's scheme creates retry and time out. The library passes none, so each SDK
/// keeps its own policy (tens of seconds of backoff against an endpoint that does not answer, right for a service
/// riding out a blip); <c>objlog</c> passes <see cref="FailFast"/>, because a person at a terminal who mistyped an
/// endpoint should hear so in seconds, not after the SDK's retry budget.
/// </summary>
/// <param name="MaxRetries">Retries after the first attempt of a request.</param>
/// <param name="RequestTimeout">The time one attempt may take, connection included.</param>
public sealed record StoreClientPolicy(int MaxRetries, TimeSpan RequestTimeout)
{
    /// <summary>One retry and 5 s an attempt: a closed port fails at once, a black hole in about 10 s.</summary>
    public static StoreClientPolicy FailFast { get; } = new(1, TimeSpan.FromSeconds(5));
}
