using BenchmarkDotNet.Running;
using ObjectLog.Benchmarks;
using ObjectLog.Benchmarks.Latency;
using ObjectLog.Benchmarks.Local;
using ObjectLog.Benchmarks.Stores;

// `stores`, `latency`, `requests`, `local`, `manifests` [--quick]: side-by-side runs with ratios (docs/benchmarks.md). Anything else: BenchmarkDotNet.
return args.Length > 0 && args[0] is "stores" or "latency" or "requests" or "local" or "manifests"
    ? args[0] switch
    {
        "stores" => await StoreBenchmark.RunAsync(args[1..]),
        "latency" => await LatencyBenchmark.RunAsync(args[1..]),
        "requests" => await RequestBenchmark.RunAsync(args[1..]),
        "manifests" => await ManifestBenchmark.RunAsync(args[1..]),
        _ => await LocalBenchmark.RunAsync(args[1..]),
    }
    : RunBenchmarkDotNet(args);

static int RunBenchmarkDotNet(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    return 0;
}
