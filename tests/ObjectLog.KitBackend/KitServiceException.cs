namespace ObjectLog.KitBackend;

/// <summary>An error of <see cref="KitService"/>: an HTTP-like status (0 for a broken connection) and a code.</summary>
public sealed class KitServiceException(int status, string code) : Exception($"{status} {code}")
{
    /// <summary>The status, or 0 for a connection that broke.</summary>
    public int Status { get; } = status;

    /// <summary>The service's error code.</summary>
    public string Code { get; } = code;
}
