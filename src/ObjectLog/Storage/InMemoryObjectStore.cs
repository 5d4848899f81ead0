using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace ObjectLog.Storage;

/// <summary>
/// A store that keeps objects in process memory. It enforces create-only puts atomically and, like many real
/// stores, lists in no particular order. Useful for tests and for logs that need not outlive the process.
/// </summary>
public sealed class InMemoryObjectStore : IObjectStore
{
    private readonly ConcurrentDictionary<string, Entry> _objects = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private readonly Lock _updates = new();
    private long _lastVersion;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock for <see cref="ObjectMeta.LastModified"/>; the system clock if <see langword="null"/>.</param>
    public InMemoryObjectStore(TimeProvider? timeProvider = null) => _timeProvider = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public bool SupportsCreateOnly => true;

    /// <inheritdoc />
    public bool SupportsConditionalUpdate => true;

    /// <inheritdoc />
    /// <remarks>The clock it stamps objects with: the one given to the constructor, shared by every user of this store.</remarks>
    public ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(_timeProvider.GetUtcNow());

    /// <inheritdoc />
    public async Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        VersionedPut.RefuseUpdate(mode);
        byte[] data;
        if (ObjectStreams.TryGetMemory(content, out ReadOnlyMemory<byte> bytes))
        {
            data = bytes.ToArray();
        }
        else
        {
            using var buffer = new MemoryStream();
            await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            data = buffer.ToArray();
        }

        cancellationToken.ThrowIfCancellationRequested();
        Write(key, data, mode, null);
    }

    /// <inheritdoc />
    public Task<VersionedObject> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        return _objects.TryGetValue(key, out Entry? entry)
            ? Task.FromResult(new VersionedObject(key, entry.Data.ToArray(), entry.Version, entry.LastModified))
            : Task.FromException<VersionedObject>(new ObjectNotFoundException(key));
    }

    /// <inheritdoc />
    public Task<string> PutVersionedAsync(string key, ReadOnlyMemory<byte> content, PutMode mode, string? version, CancellationToken cancellationToken = default)
    {
        VersionedPut.Validate(key, mode, version);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Write(key, content.ToArray(), mode, version));
    }

    /// <summary>
    /// Stores <paramref name="data"/> under <paramref name="key"/> if <paramref name="mode"/> allows it. Writes take a
    /// lock, so an update's compare and its replace are one step with respect to every other write; reads need none.
    /// </summary>
    private string Write(string key, byte[] data, PutMode mode, string? version)
    {
        lock (_updates)
        {
            var entry = new Entry(data, _timeProvider.GetUtcNow(), (++_lastVersion).ToString("x", System.Globalization.CultureInfo.InvariantCulture));
            switch (mode)
            {
                case PutMode.Create when !_objects.TryAdd(key, entry):
                    throw new ObjectAlreadyExistsException(key);
                case PutMode.Update when !_objects.TryGetValue(key, out Entry? current) || current.Version != version:
                    throw new ObjectChangedException(key, version!);
                case PutMode.Update or PutMode.Overwrite:
                    _objects[key] = entry;
                    break;
            }

            return entry.Version;
        }
    }

    /// <inheritdoc />
    public Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_objects.TryGetValue(key, out Entry? entry))
        {
            throw new ObjectNotFoundException(key);
        }

        ByteRange part = ByteRange.Within(range, entry.Data.Length);
        return Task.FromResult<Stream>(new MemoryStream(entry.Data, (int)part.Offset, (int)part.Length, writable: false));
    }

    /// <inheritdoc />
    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        _objects.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>Removes every key at once; it never fails once the keys are valid.</remarks>
    public Task DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> unique = BulkDelete.Prepare(keys);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (string key in unique)
        {
            _objects.TryRemove(key, out _);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (KeyValuePair<string, Entry> pair in _objects)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ObjectKey.IsListed(pair.Key, prefix, startAfter))
            {
                yield return new ObjectMeta(pair.Key, pair.Value.Data.Length, pair.Value.LastModified) { Version = pair.Value.Version };
            }
        }
    }

    private sealed record Entry(byte[] Data, DateTimeOffset LastModified, string Version);
}
