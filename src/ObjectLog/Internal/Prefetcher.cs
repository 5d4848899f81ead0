using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// Opens the stored units of a plan in order, keeping up to <see cref="Count"/> small ones in flight, so reading
/// many small objects costs about one round trip per <see cref="Count"/> objects. Units without a key (memory)
/// are skipped: the caller handles them.
/// </summary>
internal sealed class Prefetcher : IDisposable
{
    /// <summary>GETs in flight at most; memory held ahead is at most this many times <see cref="MaxBytes"/>.</summary>
    public const int Count = 8;

    /// <summary>Units up to this size are fetched ahead into memory; larger ones stream when their turn comes.</summary>
    public const long MaxBytes = 4 * 1024 * 1024;

    private readonly IObjectStore _store;
    private readonly List<ReadUnit> _units;
    private readonly CancellationTokenSource _cts;
    private readonly Queue<(ReadUnit Unit, Task<byte[]>? Body)> _window = new();
    private int _next;

    public Prefetcher(IObjectStore store, List<ReadUnit> units, CancellationToken cancellationToken)
    {
        _store = store;
        _units = units;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    public async Task<Stream> OpenNextAsync()
    {
        Fill();
        (ReadUnit unit, Task<byte[]>? body) = _window.Dequeue();
        if (body is null)
        {
            return await _store.GetAsync(unit.Key!, unit.Range, _cts.Token).ConfigureAwait(false);
        }

        byte[] bytes = await body.ConfigureAwait(false);
        Fill(); // only now, so at most Count GETs are ever in flight
        return new MemoryStream(bytes, writable: false);
    }

    /// <summary>Cancels and observes what is still in flight, so no failure goes unobserved.</summary>
    public async Task DrainAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        foreach ((_, Task<byte[]>? body) in _window)
        {
            if (body is not null)
            {
                try
                {
                    await body.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // Abandoned read-ahead: its outcome no longer matters.
                }
            }
        }

        _window.Clear();
    }

    public void Dispose() => _cts.Dispose();

    private void Fill()
    {
        while (_window.Count < Count && _next < _units.Count)
        {
            ReadUnit unit = _units[_next++];
            if (unit.Key is null)
            {
                continue;
            }

            _window.Enqueue((unit, unit.Size <= MaxBytes ? _store.GetBytesAsync(unit.Key, unit.Range, _cts.Token) : null));
        }
    }
}
