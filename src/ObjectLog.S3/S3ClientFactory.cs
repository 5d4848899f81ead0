using Amazon.Runtime;
using Amazon.S3;

namespace ObjectLog.S3;

/// <summary>
/// The client settings the store's clients share: checksums only where an operation requires them (Ceph RGW rejects
/// the SDK's default trailing checksums with <c>XAmzContentSHA256Mismatch</c>; the store sends its own CRC-32C, see
/// <see cref="S3ChecksumNegotiation"/>), and path-style addressing for an S3-compatible endpoint.
/// </summary>
internal static class S3ClientFactory
{
    /// <summary>A client configuration with checksums only where an operation requires them.</summary>
    public static AmazonS3Config NewConfig() => new()
    {
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    };

    /// <summary>A client for an S3-compatible endpoint, as <see cref="S3ObjectStore.CreateClient"/> documents it.</summary>
    public static IAmazonS3 CreateCompatibleClient(Uri serviceUrl, string accessKeyId, string secretAccessKey, string region, int maxErrorRetry)
    {
        AmazonS3Config config = NewConfig();
        config.ServiceURL = serviceUrl.ToString();
        config.ForcePathStyle = true;
        config.AuthenticationRegion = region;
        config.MaxErrorRetry = maxErrorRetry;
        return new AmazonS3Client(new BasicAWSCredentials(accessKeyId, secretAccessKey), config);
    }

    /// <summary>Where a client sends its requests, for messages: its endpoint or region, never credentials.</summary>
    public static string DescribeEndpoint(IClientConfig config)
        => !string.IsNullOrEmpty(config.ServiceURL) ? config.ServiceURL.TrimEnd('/')
            : config.RegionEndpoint is { } region ? $"AWS region {region.SystemName}"
            : "the default AWS endpoint";
}
