using ObjectLog.Storage;

namespace ObjectLog.KitBackend;

/// <summary>
/// The <c>kit://SERVICE[/PREFIX][?page_size=N]</c> scheme of <see cref="ObjectStoreUrl"/>: one
/// <see cref="KitService"/> per SERVICE name in this process. A package would call <see cref="Register"/> from a module
/// initializer; a test calls it itself.
/// </summary>
public static class KitStoreUrl
{
    private static readonly Dictionary<string, KitService> Services = new(StringComparer.Ordinal);

    /// <summary>Makes <see cref="ObjectStoreUrl.Open"/> accept <c>kit://</c> URLs.</summary>
    public static void Register() => ObjectStoreUrl.Register("kit", "service", ["page_size"], Open);

    private static ObjectStoreLocation Open(StoreUrl url)
    {
        int pageSize = 1000;
        if (url.GetParameter("page_size") is { } text && (!int.TryParse(text, out pageSize) || pageSize < 1))
        {
            throw new ArgumentException("kit:// page_size must be a positive whole number.", "url");
        }

        KitService service;
        lock (Services)
        {
            if (!Services.TryGetValue(url.Root, out service!))
            {
                service = new KitService();
                Services.Add(url.Root, service);
            }
        }

        return new ObjectStoreLocation(new KitObjectStore(service, pageSize), url.Prefix, url.Description);
    }
}
