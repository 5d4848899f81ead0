using System.Web;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Azure.Storage.Blobs;
using ObjectLog.Azure;
using ObjectLog.S3;
using ObjectLog.Storage;

namespace ObjectLog.Cli;

/// <summary>
/// Where a command's log lives, from <c>--store</c> and <c>--log</c>. The log is the prefix <c>--log</c> under the
/// store URL's own prefix.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>file://PATH</c> or a plain path: a folder on this machine (the default, <c>file://./objectlog-data</c>).</item>
/// <item><c>s3://BUCKET[/PREFIX][?endpoint=URL&amp;region=R&amp;path_style=true|false&amp;create_only=true|false]</c>:
/// credentials from <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>, else the SDK's default chain (profiles,
/// instance roles); region from the URL, else <c>AWS_REGION</c>; an endpoint (an S3-compatible server) from the URL,
/// else <c>AWS_ENDPOINT_URL_S3</c> or <c>AWS_ENDPOINT_URL</c>, and then path-style addressing by default.</item>
/// <item><c>az://CONTAINER[/PREFIX][?connection_string=…]</c>: the connection string from the URL, else
/// <c>AZURE_STORAGE_CONNECTION_STRING</c>.</item>
/// </list>
/// Secrets never appear in <see cref="Description"/> or in error messages.
/// </remarks>
internal sealed class StoreLocation : IDisposable
{
    public const string DefaultStore = "file://./objectlog-data";

    private readonly IDisposable? _client;

    private StoreLocation(IObjectStore store, string logPrefix, string description, IDisposable? client)
    {
        Store = store;
        LogPrefix = logPrefix;
        Description = description;
        _client = client;
    }

    public IObjectStore Store { get; }

    /// <summary>The log's full key prefix, without a trailing '/'.</summary>
    public string LogPrefix { get; }

    /// <summary>Where the log is, for people: no credentials.</summary>
    public string Description { get; }

    public void Dispose() => _client?.Dispose();

    /// <summary>Parses <c>--store</c> and <c>--log</c>.</summary>
    /// <exception cref="ArgumentException">A value is malformed; the message says which and why, without echoing secrets.</exception>
    public static StoreLocation Parse(string store, string log, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(store);
        environment ??= Environment.GetEnvironmentVariable;
        ObjectKey.ValidatePrefix(log, "--log");
        log = log.TrimEnd('/');
        if (log.Length == 0)
        {
            throw new ArgumentException("--log must name a log (a key prefix such as 'events').", "--log");
        }

        int schemeEnd = store.IndexOf("://", StringComparison.Ordinal);
        string scheme = schemeEnd < 0 ? "file" : store[..schemeEnd].ToLowerInvariant();
        string rest = schemeEnd < 0 ? store : store[(schemeEnd + 3)..];
        return scheme switch
        {
            "file" => File(rest, log),
            "s3" => S3(rest, log, environment),
            "az" => Azure(rest, log, environment),
            _ => throw new ArgumentException($"--store: unsupported scheme '{scheme}://' (use file://PATH, s3://BUCKET/PREFIX or az://CONTAINER/PREFIX).", "--store"),
        };
    }

    private static StoreLocation File(string path, string log)
    {
        if (path.Length == 0)
        {
            throw new ArgumentException("--store: file:// needs a folder path, such as file://./objectlog-data.", "--store");
        }

        var fs = new FileSystemObjectStore(path);
        return new StoreLocation(fs, log, $"{fs.RootDirectory} (log '{log}')", null);
    }

    private static StoreLocation S3(string rest, string log, Func<string, string?> environment)
    {
        (string bucket, string prefix, Dictionary<string, string> query) = Split(rest, "s3", "bucket");
        string? endpoint = Get(query, "endpoint") ?? environment("AWS_ENDPOINT_URL_S3") ?? environment("AWS_ENDPOINT_URL");
        string? region = Get(query, "region") ?? environment("AWS_REGION") ?? environment("AWS_DEFAULT_REGION");
        var config = new AmazonS3Config
        {
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrEmpty(endpoint))
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                throw new ArgumentException("--store: the S3 endpoint must be an http:// or https:// URL.", "--store");
            }

            config.ServiceURL = uri.ToString();
            config.ForcePathStyle = Bool(query, "path_style") ?? true;
            config.AuthenticationRegion = region ?? "us-east-1";
        }
        else
        {
            config.ForcePathStyle = Bool(query, "path_style") ?? false;
            if (region is not null)
            {
                config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
            }
        }

        string? accessKey = environment("AWS_ACCESS_KEY_ID");
        string? secretKey = environment("AWS_SECRET_ACCESS_KEY");
        AmazonS3Client client = !string.IsNullOrEmpty(accessKey) && !string.IsNullOrEmpty(secretKey)
            ? new AmazonS3Client(string.IsNullOrEmpty(environment("AWS_SESSION_TOKEN")) ? new BasicAWSCredentials(accessKey, secretKey) : new SessionAWSCredentials(accessKey, secretKey, environment("AWS_SESSION_TOKEN")), config)
            : new AmazonS3Client(config);
        var options = new S3ObjectStoreOptions { SupportsCreateOnly = Bool(query, "create_only") ?? true };
        string where = string.IsNullOrEmpty(endpoint) ? "" : $" at {new Uri(endpoint).GetLeftPart(UriPartial.Authority)}";
        return new StoreLocation(new S3ObjectStore(client, bucket, options), Join(prefix, log), $"s3://{bucket}/{Join(prefix, log)}{where}", client);
    }

    private static StoreLocation Azure(string rest, string log, Func<string, string?> environment)
    {
        (string container, string prefix, Dictionary<string, string> query) = Split(rest, "az", "container");
        string connectionString = Get(query, "connection_string") ?? environment("AZURE_STORAGE_CONNECTION_STRING")
            ?? throw new ArgumentException("--store: az:// needs a connection string: set AZURE_STORAGE_CONNECTION_STRING or add ?connection_string=… to the URL.", "--store");
        BlobContainerClient client;
        try
        {
            client = new BlobContainerClient(connectionString, container);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new ArgumentException("--store: the Azure connection string is not valid (its contents are not shown).", "--store");
        }

        return new StoreLocation(new AzureBlobObjectStore(client), Join(prefix, log), $"az://{container}/{Join(prefix, log)} at {client.Uri.GetLeftPart(UriPartial.Authority)}", null);
    }

    private static (string Root, string Prefix, Dictionary<string, string> Query) Split(string rest, string scheme, string rootName)
    {
        int q = rest.IndexOf('?', StringComparison.Ordinal);
        string path = q < 0 ? rest : rest[..q];
        var query = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (q >= 0)
        {
            var parsed = HttpUtility.ParseQueryString(rest[(q + 1)..]);
            foreach (string? name in parsed.AllKeys)
            {
                if (name is null || parsed[name] is not { } value)
                {
                    continue;
                }

                if (name is not ("endpoint" or "region" or "path_style" or "create_only" or "connection_string"))
                {
                    throw new ArgumentException($"--store: unknown parameter '{name}' in the {scheme}:// URL.", "--store");
                }

                query[name] = value;
            }
        }

        int slash = path.IndexOf('/', StringComparison.Ordinal);
        string root = slash < 0 ? path : path[..slash];
        string prefix = slash < 0 ? "" : path[(slash + 1)..].TrimEnd('/');
        if (root.Length == 0)
        {
            throw new ArgumentException($"--store: {scheme}:// needs a {rootName} name, as in {scheme}://{rootName.ToUpperInvariant()}/PREFIX.", "--store");
        }

        ObjectKey.ValidatePrefix(prefix, "--store");
        return (root, prefix, query);
    }

    private static string Join(string prefix, string log) => prefix.Length == 0 ? log : $"{prefix}/{log}";

    private static string? Get(Dictionary<string, string> query, string name) => query.TryGetValue(name, out string? v) && v.Length > 0 ? v : null;

    private static bool? Bool(Dictionary<string, string> query, string name)
        => Get(query, name) switch
        {
            null => null,
            "true" or "1" => true,
            "false" or "0" => false,
            _ => throw new ArgumentException($"--store: '{name}' must be true or false.", "--store"),
        };
}
