using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using ObjectLog.Internal;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;

namespace ObjectLog.Tests.Extensions;

/// <summary>Stores and hosts for the extension tests, each test on stores of its own.</summary>
internal static class ExtensionFixtures
{
    /// <summary>A <c>memory://</c> URL on a store no other test uses.</summary>
    public static string NewMemoryUrl(string log) => $"memory://extensions-{Guid.NewGuid():N}/{log}";

    /// <summary>Every event stored under the log a URL names (a fresh reader: nothing buffered elsewhere is seen).</summary>
    public static async Task<IReadOnlyList<byte[]>> ReadStoredAsync(string url)
    {
        using ObjectStoreLocation location = ObjectStoreUrl.Open(url);
        await using var log = new AppendLog(location.Store, location.Prefix);
        return await log.ReadAllAsync();
    }

    /// <summary>How each data object (batch or merged) under the log a URL names is encoded, by its name.</summary>
    public static async Task<IReadOnlyList<LogCompression>> StoredEncodingsAsync(string url)
    {
        using ObjectStoreLocation location = ObjectStoreUrl.Open(url);
        await using var log = new AppendLog(location.Store, location.Prefix);
        return [.. (await log.ListStoredObjectsAsync())
            .Where(o => o.Kind is StoredObjectKind.Batch or StoredObjectKind.Merged)
            .Select(o => LogObjectName.EncodingOfData(o.Meta.Key))];
    }

    /// <summary>A URL scheme of its own for a store whose PUTs wait until released (a store that does not answer).</summary>
    public static string RegisterHeldStore(out FaultInjectingObjectStore held)
    {
        held = new FaultInjectingObjectStore(new InMemoryObjectStore());
        held.HoldPuts();
        return RegisterStore(held, "held");
    }

    /// <summary>A URL scheme of its own, <paramref name="name"/> and a suffix, for <paramref name="store"/>.</summary>
    public static string RegisterStore(IObjectStore store, string name)
    {
        string scheme = name + Guid.NewGuid().ToString("N")[..8];
        ObjectStoreUrl.Register(scheme, (rest, _) => new ObjectStoreLocation(store, rest, name + " store"));
        return scheme;
    }

    /// <summary>A host builder with these configuration values.</summary>
    public static HostApplicationBuilder HostWith(Dictionary<string, string?> configuration)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(configuration);
        return builder;
    }
}
