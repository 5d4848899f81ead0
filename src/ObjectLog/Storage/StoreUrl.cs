using System.Web;

namespace ObjectLog.Storage;

/// <summary>
/// A store URL, <c>SCHEME://ROOT[/PREFIX][?name=value&amp;…]</c>, as <see cref="ObjectStoreUrl"/> hands it to the
/// scheme registered for it: split into its root (a bucket, a container), its key prefix and its query parameters,
/// with the environment to read settings and credentials from and the retry policy the caller asked for.
/// </summary>
/// <remarks>
/// The parsing is shared by every scheme, so each refuses the same mistakes with the same messages: a missing root, an
/// invalid prefix (see <see cref="ObjectKey.ValidatePrefix"/>), a parameter the scheme did not declare (so a typo is not
/// ignored). Messages never repeat a parameter's value, which may be a secret.
/// </remarks>
public sealed class StoreUrl
{
    private readonly Dictionary<string, string> _query;
    private readonly Func<string, string?> _environment;

    private StoreUrl(Dictionary<string, string> query, Func<string, string?> environment)
    {
        _query = query;
        _environment = environment;
    }

    /// <summary>The scheme, without <c>://</c>, in lower case.</summary>
    public string Scheme { get; private init; } = "";

    /// <summary>The part before the first <c>/</c>: the bucket, container or store name; never empty.</summary>
    public string Root { get; private init; } = "";

    /// <summary>The key prefix after the root, without a trailing <c>/</c>; empty for none. A valid key prefix.</summary>
    public string Prefix { get; private init; } = "";

    /// <summary>
    /// How the SDK client the scheme creates should retry and time out, or <see langword="null"/> to keep the SDK's own
    /// policy (see <see cref="StoreClientPolicy"/>).
    /// </summary>
    public StoreClientPolicy? ClientPolicy { get; private init; }

    /// <summary>
    /// <c>SCHEME://ROOT[/PREFIX]</c>, without the query string (which may hold secrets): the start of the
    /// <see cref="ObjectStoreLocation.Description"/> a scheme returns.
    /// </summary>
    public string Description => $"{Scheme}://{Root}{(Prefix.Length == 0 ? "" : "/" + Prefix)}";

    /// <summary>A query parameter's value, or <see langword="null"/> if it is absent or empty. Names are case-insensitive.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    public string? GetParameter(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _query.TryGetValue(name, out string? v) && v.Length > 0 ? v : null;
    }

    /// <summary>A true/false query parameter (<c>true</c>, <c>false</c>, <c>1</c> or <c>0</c>), or <see langword="null"/> if it is absent.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The value is not a boolean.</exception>
    public bool? GetBooleanParameter(string name)
        => GetParameter(name) switch
        {
            null => null,
            "true" or "1" => true,
            "false" or "0" => false,
            _ => throw new ArgumentException($"'{name}' must be true or false.", ObjectStoreUrl.ParamName),
        };

    /// <summary>
    /// An environment variable, read the way the caller of <see cref="ObjectStoreUrl.Open"/> asked (the process's
    /// environment unless it passed its own), or <see langword="null"/> if it is not set.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    public string? GetEnvironmentVariable(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _environment(name);
    }

    /// <param name="scheme">The scheme, lower case.</param>
    /// <param name="rest">The URL after <c>SCHEME://</c>.</param>
    /// <param name="rootName">What the root is called (bucket, container), for messages.</param>
    /// <param name="parameters">The query parameters the scheme knows (case-insensitive); any other is refused.</param>
    /// <param name="environment">Reads environment variables.</param>
    /// <param name="clientPolicy">The caller's client policy, if any.</param>
    /// <exception cref="ArgumentException">The URL is malformed; the message never repeats a parameter's value.</exception>
    internal static StoreUrl Parse(string scheme, string rest, string rootName, IReadOnlyCollection<string> parameters, Func<string, string?> environment, StoreClientPolicy? clientPolicy)
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

                if (!parameters.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    throw new ArgumentException($"unknown parameter '{name}' in the {scheme}:// URL.", ObjectStoreUrl.ParamName);
                }

                query[name] = value;
            }
        }

        int slash = path.IndexOf('/', StringComparison.Ordinal);
        string root = slash < 0 ? path : path[..slash];
        string prefix = slash < 0 ? "" : path[(slash + 1)..].TrimEnd('/');
        if (root.Length == 0)
        {
            throw new ArgumentException($"{scheme}:// needs a {rootName} name, as in {scheme}://{rootName.ToUpperInvariant()}/PREFIX.", ObjectStoreUrl.ParamName);
        }

        ObjectKey.ValidatePrefix(prefix, ObjectStoreUrl.ParamName);
        return new StoreUrl(query, environment) { Scheme = scheme, Root = root, Prefix = prefix, ClientPolicy = clientPolicy };
    }
}
