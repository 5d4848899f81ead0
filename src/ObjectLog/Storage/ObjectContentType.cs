namespace ObjectLog.Storage;

/// <summary>
/// The <c>Content-Type</c> the cloud stores give an object at PUT, from its key's extension, so a browser, a console
/// or a downstream tool sees what the bytes are: JSON Lines (batches, merged data) as <c>application/jsonl</c>,
/// compressed JSON Lines as <c>application/zstd</c> (<c>.zst</c>) or <c>application/gzip</c> (<c>.gz</c>), JSON
/// (manifests, trim records) as <c>application/json</c>, anything else as <c>application/octet-stream</c> (set
/// explicitly, so no SDK guesses one from the extension).
/// </summary>
/// <remarks>
/// A compressed object's type says what its bytes are, and it never gets a <c>Content-Encoding</c>: HTTP clients
/// would decode it silently, so its length, its ranges (a manifest locates each batch by its compressed bytes) and its
/// checksum would no longer match what arrives.
/// </remarks>
/// <remarks>
/// JSON Lines has no registered media type; <c>application/jsonl</c> is the one jsonlines.org suggests (others in use
/// are <c>application/x-ndjson</c> and <c>application/jsonlines</c>).
/// </remarks>
public static class ObjectContentType
{
    /// <summary>JSON Lines: the log's batches and merged objects (<c>.jsonl</c>).</summary>
    public const string JsonLines = "application/jsonl";

    /// <summary>JSON: manifests and trim records (<c>.json</c>).</summary>
    public const string Json = "application/json";

    /// <summary>Zstandard frames: compressed batches and merged objects (<c>.jsonl.zst</c>).</summary>
    public const string Zstd = "application/zstd";

    /// <summary>gzip members: compressed batches and merged objects (<c>.jsonl.gz</c>).</summary>
    public const string Gzip = "application/gzip";

    /// <summary>Any other object.</summary>
    public const string Bytes = "application/octet-stream";

    /// <summary>The type for <paramref name="key"/>, from its extension.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    public static string For(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.EndsWith(".jsonl", StringComparison.Ordinal) ? JsonLines
            : key.EndsWith(".zst", StringComparison.Ordinal) ? Zstd
            : key.EndsWith(".gz", StringComparison.Ordinal) ? Gzip
            : key.EndsWith(".json", StringComparison.Ordinal) ? Json
            : Bytes;
    }
}
