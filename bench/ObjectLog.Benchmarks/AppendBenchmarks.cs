using System.Text;
using BenchmarkDotNet.Attributes;
using ObjectLog;

namespace ObjectLog.Benchmarks;

/// <summary>
/// The append path every user pays for: AppendLog.AppendAsync against the obvious buffer (a locked
/// List&lt;byte[]&gt; holding a copy of each event, as the original design kept its buffer). Batches go to a store
/// that discards them, so the cost of sealing and handing over a batch is included at its real frequency but no
/// store's own work is.
/// </summary>
[MemoryDiagnoser]
public class AppendBenchmarks
{
    private const int EventsPerInvoke = 4096;
    private readonly Lock _gate = new();
    private byte[] _event = [];
    private AppendLog _log = null!;
    private List<byte[]> _list = [];

    [Params(32, 4096)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _event = Encoding.UTF8.GetBytes("{\"level\":\"error\",\"service\":\"checkout\",\"msg\":\"payment provider timed out after 30s\",\"trace\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"attempt\":3,\"at\":\"2026-11-24T08:40:49.123Z\"}");
        _log = new AppendLog(new DiscardingObjectStore(), "bench", new AppendLogOptions { FlushThreshold = BatchSize, FlushInterval = Timeout.InfiniteTimeSpan });
    }

    [GlobalCleanup]
    public void Cleanup() => _log.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, OperationsPerInvoke = EventsPerInvoke)]
    public int LockedListOfCopies()
    {
        for (int i = 0; i < EventsPerInvoke; i++)
        {
            lock (_gate)
            {
                _list.Add(_event.ToArray());
                if (_list.Count >= BatchSize)
                {
                    _list = new List<byte[]>(BatchSize);
                }
            }
        }

        return _list.Count;
    }

    [Benchmark(OperationsPerInvoke = EventsPerInvoke)]
    public async Task AppendLogAppendAsync()
    {
        for (int i = 0; i < EventsPerInvoke; i++)
        {
            await _log.AppendAsync(_event);
        }
    }
}
