using System.Web;

namespace ObjectLog.Storage;

/// <summary>
/// The parts of a cloud store URL, <c>SCHEME://ROOT[/PREFIX][?name=value&amp;…]</c>, shared by the schemes that
/// the store packages register, so every scheme refuses the same mistakes with the same messages.
/// </summary>
internal sealed class StoreUrlParts
{
    private readonly Dictionary<string, string> _query;

    private StoreUrlParts(string root, string prefix, Dictionary<string, string> query)
    {
        Root = root;
        Prefix = prefix;
        _query = query;
    }

    /// <summary>The bucket or container.</summary>
    public string Root { get; }

    /// <summary>The key prefix after the root, without a trailing <c>/</c>.</summary>
    public string Prefix { get; }

    /// <param name="rest">The URL after <c>SCHEME://</c>.</param>
    /// <param name="scheme">For messages.</param>
    /// <param name="rootName">What the root is called (bucket, container), for messages.</param>
    /// <param name="parameters">The query parameters the scheme knows; any other is refused, so a typo is not ignored.</param>
    /// <exception cref="ArgumentException">The URL is malformed; the message never repeats a parameter's value.</exception>
    public static StoreUrlParts Parse(string rest, string scheme, string rootName, params ReadOnlySpan<string> parameters)
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

                if (!parameters.Contains(name.ToLowerInvariant()))
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
        return new StoreUrlParts(root, prefix, query);
    }

    /// <summary>A parameter's value, or <see langword="null"/> if absent or empty.</summary>
    public string? Get(string name) => _query.TryGetValue(name, out string? v) && v.Length > 0 ? v : null;

    /// <summary>A true/false parameter, or <see langword="null"/> if absent.</summary>
    /// <exception cref="ArgumentException">The value is not a boolean.</exception>
    public bool? Bool(string name)
        => Get(name) switch
        {
            null => null,
            "true" or "1" => true,
            "false" or "0" => false,
            _ => throw new ArgumentException($"'{name}' must be true or false.", ObjectStoreUrl.ParamName),
        };
}
