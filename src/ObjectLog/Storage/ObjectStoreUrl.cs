using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace ObjectLog.Storage;

/// <summary>
/// Opens a store from a URL, as <c>objlog --store</c>, the logger provider and the hosting package take it.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>file://PATH</c> or a plain path: a folder on this machine (<see cref="FileSystemObjectStore"/>); the prefix is empty.</item>
/// <item><c>memory://NAME[/PREFIX]</c>: an <see cref="InMemoryObjectStore"/> shared by every URL with the same NAME in
/// this process, for as long as the process runs (so a test's writer and reader meet).</item>
/// <item><c>s3://BUCKET[/PREFIX][?…]</c> with the <c>ObjectLog.S3</c> package, <c>az://CONTAINER[/PREFIX][?…]</c>
/// with <c>ObjectLog.Azure</c>; each package documents its parameters.</item>
/// </list>
/// <para>
/// A store package registers its scheme (<see cref="Register(string, string, IReadOnlyCollection{string}, Func{StoreUrl, ObjectStoreLocation})"/>) from a module initializer, so the core
/// references no cloud SDK. A module initializer runs only once something touches the assembly, so for the
/// packages ObjectLog ships, an unregistered <c>s3</c> or <c>az</c> scheme makes <see cref="Open"/> load the
/// package's assembly by name and run its initializer: referencing the package is enough. Where assemblies cannot be
/// loaded by name, or for a scheme of your own, call it at startup.
/// </para>
/// <para>Secrets (keys, connection strings) never appear in error messages or in <see cref="ObjectStoreLocation.Description"/>.</para>
/// </remarks>
public static class ObjectStoreUrl
{
    internal const string ParamName = "url";

    private static readonly ConcurrentDictionary<string, Func<string, Func<string, string?>, StoreClientPolicy?, ObjectStoreLocation>> Schemes = new(StringComparer.OrdinalIgnoreCase);
    private static readonly ConcurrentDictionary<string, InMemoryObjectStore> MemoryStores = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, string> ShippedSchemes = new(StringComparer.OrdinalIgnoreCase) { ["s3"] = "ObjectLog.S3", ["az"] = "ObjectLog.Azure" };

    /// <summary>
    /// Makes <see cref="Open"/> accept <c><paramref name="scheme"/>://ROOT[/PREFIX][?name=value&amp;…]</c>: the URL is
    /// parsed (and its mistakes refused) here, and <paramref name="open"/> gets the parts. This is how a store package
    /// registers its scheme, from a module initializer (see the remarks on <see cref="ObjectStoreUrl"/>). A later
    /// registration of the same scheme replaces an earlier one; <c>file</c> and <c>memory</c> are built in and cannot
    /// be replaced.
    /// </summary>
    /// <param name="scheme">The scheme, without <c>://</c>: letters, digits, <c>+</c>, <c>-</c> or <c>.</c>, starting with a letter.</param>
    /// <param name="rootName">What the part before the first <c>/</c> is called (<c>bucket</c>, <c>container</c>), for messages.</param>
    /// <param name="parameters">The query parameters the scheme takes (names are case-insensitive); a URL with any other is refused, so a typo is not ignored.</param>
    /// <param name="open">
    /// Opens the location: creates the store (and its client, following <see cref="StoreUrl.ClientPolicy"/>) and
    /// returns it with <see cref="StoreUrl.Prefix"/>. Throws <see cref="ArgumentException"/> for a URL it cannot use,
    /// with a message that repeats no secret.
    /// </param>
    /// <exception cref="ArgumentNullException">An argument, or one of <paramref name="parameters"/>, is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="scheme"/> is not a valid scheme or is built in, or <paramref name="rootName"/> is empty.</exception>
    public static void Register(string scheme, string rootName, IReadOnlyCollection<string> parameters, Func<StoreUrl, ObjectStoreLocation> open)
    {
        ValidateScheme(scheme);
        ArgumentException.ThrowIfNullOrWhiteSpace(rootName);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(open);
        string[] known = [.. parameters];
        foreach (string parameter in known)
        {
            ArgumentNullException.ThrowIfNull(parameter, nameof(parameters));
        }

        string name = scheme.ToLowerInvariant();
        Schemes[scheme] = (rest, environment, policy) => open(StoreUrl.Parse(name, rest, rootName, known, environment, policy));
    }

    /// <summary>
    /// Makes <see cref="Open"/> accept <c><paramref name="scheme"/>://…</c>, leaving the URL's parsing to
    /// <paramref name="open"/>. A later registration of the same scheme replaces an earlier one; <c>file</c> and
    /// <c>memory</c> are built in and cannot be replaced.
    /// </summary>
    /// <param name="scheme">The scheme, without <c>://</c>: letters, digits, <c>+</c>, <c>-</c> or <c>.</c>, starting with a letter.</param>
    /// <param name="open">Opens a location from the URL after <c>scheme://</c> and a way to read environment variables; throws <see cref="ArgumentException"/> for a malformed URL, without repeating secrets.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="scheme"/> is not a valid scheme, or is built in.</exception>
    public static void Register(string scheme, Func<string, Func<string, string?>, ObjectStoreLocation> open)
    {
        ValidateScheme(scheme);
        ArgumentNullException.ThrowIfNull(open);
        Schemes[scheme] = (rest, environment, _) => open(rest, environment);
    }

    private static void ValidateScheme(string scheme)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        if (scheme.Length == 0 || !char.IsAsciiLetter(scheme[0]) || scheme.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.')))
        {
            throw new ArgumentException($"'{scheme}' is not a URL scheme.", nameof(scheme));
        }

        if (scheme.Equals("file", StringComparison.OrdinalIgnoreCase) || scheme.Equals("memory", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The '{scheme}' scheme is built in.", nameof(scheme));
        }
    }

    /// <summary>Opens the store a URL names (see the remarks for the schemes).</summary>
    /// <param name="url">The store URL, or a plain folder path.</param>
    /// <param name="environment">Reads environment variables (credentials, endpoints); <see cref="Environment.GetEnvironmentVariable(string)"/> if <see langword="null"/>.</param>
    /// <returns>The store and the prefix the URL names; dispose it when done with the store.</returns>
    /// <exception cref="ArgumentException">The URL is malformed, its scheme is unknown, or its package is not referenced; the message says which, without secrets.</exception>
    public static ObjectStoreLocation Open(string url, Func<string, string?>? environment = null)
        => OpenWith(url, environment, policy: null);

    /// <summary>
    /// As <see cref="Open(string, Func{string, string?}?)"/>, with the clients a cloud scheme ObjectLog ships (s3://,
    /// az://) creates retrying and timing out as <paramref name="policy"/> says (the SDK's own policy if
    /// <see langword="null"/>); a scheme registered with a <see cref="StoreUrl"/> factory finds the policy in
    /// <see cref="StoreUrl.ClientPolicy"/>, and one registered with a function of the URL's rest opens as it always does.
    /// </summary>
    /// <param name="url">The store URL, or a plain folder path.</param>
    /// <param name="environment">Reads environment variables (credentials, endpoints); <see cref="Environment.GetEnvironmentVariable(string)"/> if <see langword="null"/>.</param>
    /// <param name="policy">How the SDK clients retry and time out.</param>
    /// <returns>The store and the prefix the URL names; dispose it when done with the store.</returns>
    /// <exception cref="ArgumentException">The URL is malformed, its scheme is unknown, or its package is not referenced; the message says which, without secrets.</exception>
    public static ObjectStoreLocation OpenWith(string url, Func<string, string?>? environment, StoreClientPolicy? policy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        environment ??= Environment.GetEnvironmentVariable;
        int schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        string scheme = schemeEnd < 0 ? "file" : url[..schemeEnd].ToLowerInvariant();
        string rest = schemeEnd < 0 ? url : url[(schemeEnd + 3)..];
        switch (scheme)
        {
            case "file":
                return OpenFolder(rest);
            case "memory":
                return OpenMemory(rest);
        }

        if (!Schemes.TryGetValue(scheme, out var open) && ShippedSchemes.TryGetValue(scheme, out string? package))
        {
            RunModuleInitializer(package);
            if (!Schemes.TryGetValue(scheme, out open))
            {
                throw new ArgumentException($"{scheme}:// needs the {package} package: add a reference to it.", ParamName);
            }
        }

        return open?.Invoke(rest, environment, policy)
            ?? throw new ArgumentException($"unsupported scheme '{scheme}://' (use file://PATH, memory://NAME/PREFIX, s3://BUCKET/PREFIX or az://CONTAINER/PREFIX).", ParamName);
    }

    private static ObjectStoreLocation OpenFolder(string path)
    {
        if (path.Length == 0)
        {
            throw new ArgumentException("file:// needs a folder path, such as file://./objectlog-data.", ParamName);
        }

        var store = new FileSystemObjectStore(path);
        return new ObjectStoreLocation(store, "", store.RootDirectory);
    }

    private static ObjectStoreLocation OpenMemory(string rest)
    {
        StoreUrl parts = StoreUrl.Parse("memory", rest, "store", [], static _ => null, clientPolicy: null);
        InMemoryObjectStore store = MemoryStores.GetOrAdd(parts.Root, static _ => new InMemoryObjectStore());
        return new ObjectStoreLocation(store, parts.Prefix, parts.Description);
    }

    private static void RunModuleInitializer(string assemblyName)
    {
        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(assemblyName));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return; // not referenced: the caller says which package to add
        }

        RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
    }
}
