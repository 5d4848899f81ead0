using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using ObjectLog.Storage;

namespace ObjectLog.S3;

/// <summary>
/// The <c>s3://BUCKET[/PREFIX][?endpoint=URL&amp;region=R&amp;path_style=true|false&amp;create_only=true|false&amp;conditional_update=true|false]</c>
/// scheme of <see cref="ObjectStoreUrl"/>, registered when this assembly loads. Credentials come from
/// <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c> (and <c>AWS_SESSION_TOKEN</c>), else the SDK's default chain
/// (profiles, instance roles); the region from the URL, else <c>AWS_REGION</c>; an endpoint (an S3-compatible server)
/// from the URL, else <c>AWS_ENDPOINT_URL_S3</c> or <c>AWS_ENDPOINT_URL</c>, and then path-style addressing by default.
/// </summary>
internal static class S3StoreUrl
{
#pragma warning disable CA2255 // A library module initializer is the point: referencing the package registers its scheme.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => ObjectStoreUrl.Register("s3", "bucket", ["endpoint", "region", "path_style", "create_only", "conditional_update"], Open);

    internal static ObjectStoreLocation Open(StoreUrl url)
    {
        string? endpoint = url.GetParameter("endpoint") ?? url.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") ?? url.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        string? region = url.GetParameter("region") ?? url.GetEnvironmentVariable("AWS_REGION") ?? url.GetEnvironmentVariable("AWS_DEFAULT_REGION");
        AmazonS3Config config = S3ClientFactory.NewConfig();
        string where = "";
        if (!string.IsNullOrEmpty(endpoint))
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                throw new ArgumentException("the S3 endpoint must be an http:// or https:// URL.", "url");
            }

            config.ServiceURL = uri.ToString();
            config.ForcePathStyle = url.GetBooleanParameter("path_style") ?? true;
            config.AuthenticationRegion = region ?? "us-east-1";
            where = $" at {uri.GetLeftPart(UriPartial.Authority)}"; // never the user-info part
        }
        else
        {
            // Without an endpoint the region picks AWS's: the SDK would fail on first use with an exception a
            // user cannot act on, so say here what to set. (The SDK's profile lookup is not consulted: the URL and
            // the environment are the documented sources, and they are what the message names.)
            if (string.IsNullOrEmpty(region))
            {
                throw new ArgumentException($"s3://{url.Root} needs a region: set ?region= or AWS_REGION (such as eu-west-1), or ?endpoint= for an S3-compatible server.", "url");
            }

            config.ForcePathStyle = url.GetBooleanParameter("path_style") ?? false;
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        if (url.ClientPolicy is { } policy)
        {
            config.MaxErrorRetry = policy.MaxRetries;
            config.Timeout = policy.RequestTimeout;
            // The SDK retries what it takes for a stale pooled connection up to 10 more times, outside MaxErrorRetry;
            // an attempt that timed out on a silent endpoint can look like one, so the policy's count would not hold.
            config.MaxStaleConnectionRetries = 0;
        }

        var options = new S3ObjectStoreOptions
        {
            SupportsCreateOnly = url.GetBooleanParameter("create_only") ?? true,
            SupportsConditionalUpdate = url.GetBooleanParameter("conditional_update") ?? true,
        };
        string? accessKey = url.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        string? secretKey = url.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        string? sessionToken = url.GetEnvironmentVariable("AWS_SESSION_TOKEN");
        AmazonS3Client client = !string.IsNullOrEmpty(accessKey) && !string.IsNullOrEmpty(secretKey)
            ? new AmazonS3Client(string.IsNullOrEmpty(sessionToken) ? new BasicAWSCredentials(accessKey, secretKey) : new SessionAWSCredentials(accessKey, secretKey, sessionToken), config)
            : new AmazonS3Client(config);
        return new ObjectStoreLocation(new S3ObjectStore(client, url.Root, options), url.Prefix, url.Description + where, client);
    }
}
