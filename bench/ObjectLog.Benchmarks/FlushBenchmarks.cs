using System.Text;
using BenchmarkDotNet.Attributes;
using ObjectLog;
using ObjectLog.Storage;

namespace ObjectLog.Benchmarks;

/// <summary>
/// What batching costs on top of the store: AppendLog storing batches on the filesystem store, against a bare
/// loop of create-only PUTs of the same bytes (the floor). Goal: within 10% of the bare loop.
/// </summary>
[MemoryDiagnoser]
public class FlushBenchmarks
{
    private const int Batches = 64;
    private byte[] _event = [];
    private byte[] _batch = [];
    private string _root = "";
    private FileSystemObjectStore _store = null!;
    private int _round;

    [Params(32, 4096)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _event = Encoding.UTF8.GetBytes(new string('x', 199));
        var batch = new MemoryStream();
        for (int i = 0; i < BatchSize; i++)
        {
            batch.Write(_event);
            batch.WriteByte((byte)'\n');
        }

        _batch = batch.ToArray();
        _root = Path.Combine(Path.GetTempPath(), $"objectlog-bench-{Guid.NewGuid():N}");
        _store = new FileSystemObjectStore(_root);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark(Baseline = true, OperationsPerInvoke = Batches)]
    public async Task BareStorePutLoop()
    {
        int round = ++_round;
        for (int i = 0; i < Batches; i++)
        {
            await _store.PutAsync($"bare/{round:D6}/batch_{i:D19}.jsonl", _batch, PutMode.Create);
        }
    }

    [Benchmark(OperationsPerInvoke = Batches)]
    public async Task AppendLogBatches()
    {
        int round = ++_round;
        await using var log = new AppendLog(_store, $"log/{round:D6}", new AppendLogOptions { FlushThreshold = BatchSize, FlushThresholdBytes = int.MaxValue, FlushInterval = Timeout.InfiniteTimeSpan });
        for (int i = 0; i < Batches * BatchSize; i++)
        {
            await log.AppendAsync(_event);
        }
    }
}
