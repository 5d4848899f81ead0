using System.Collections.Concurrent;
using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>Manifests never change once written, so each is fetched at most once per log instance.</summary>
internal sealed class ManifestCache(IObjectStore store)
{
    private readonly ConcurrentDictionary<string, Manifest> _manifests = new(StringComparer.Ordinal);

    /// <exception cref="ObjectNotFoundException">The manifest was deleted (its merged object was superseded).</exception>
    public async Task<Manifest> GetAsync(string key, LogObjectName name, CancellationToken cancellationToken)
    {
        if (_manifests.TryGetValue(key, out Manifest? cached))
        {
            return cached;
        }

        byte[] json = await store.GetBytesAsync(key, null, cancellationToken).ConfigureAwait(false);
        Manifest manifest = Manifest.Parse(json, key, name);
        _manifests.TryAdd(key, manifest);
        return manifest;
    }
}
