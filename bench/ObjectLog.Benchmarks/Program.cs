using BenchmarkDotNet.Running;
using ObjectLog.Benchmarks;
using ObjectLog.Benchmarks.Compression;
using ObjectLog.Benchmarks.Latency;
using ObjectLog.Benchmarks.Local;
using ObjectLog.Benchmarks.Stores;
using ObjectLog.Benchmarks.Ui;

// `stores`, `latency`, `requests`, `endtoend`, `consumers`, `local`, `manifests`, `compression`, `ui` [--quick]: side-by-side runs with ratios (docs/benchmarks.md). Anything else: BenchmarkDotNet.
return args.Length > 0 && args[0] is "stores" or "latency" or "requests" or "endtoend" or "consumers" or "local" or "manifests" or "compression" or "ui"
    ? args[0] switch
    {
        "stores" => await StoreBenchmark.RunAsync(args[1..]),
        "latency" => await LatencyBenchmark.RunAsync(args[1..]),
        "requests" => await RequestBenchmark.RunAsync(args[1..]),
        "endtoend" => await EndToEndBenchmark.RunAsync(args[1..]),
        "consumers" => await ConsumerBenchmark.RunAsync(args[1..]),
        "manifests" => await ManifestBenchmark.RunAsync(args[1..]),
        "compression" => await CompressionBenchmark.RunAsync(args[1..]),
        "ui" => await UiBenchmark.RunAsync(args[1..]),
        _ => await LocalBenchmark.RunAsync(args[1..]),
    }
    : RunBenchmarkDotNet(args);

static int RunBenchmarkDotNet(string[] args)
{
    // Not typeof(Program): objlog's own Program is visible here too (the CLI is referenced for objlog ui).
    BenchmarkSwitcher.FromAssembly(typeof(AppendBenchmarks).Assembly).Run(args);
    return 0;
}
