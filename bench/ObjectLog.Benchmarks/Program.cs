using BenchmarkDotNet.Running;
using ObjectLog.Benchmarks.Stores;

// `stores [--quick]`: AppendLog against bare SDK loops on real servers (see StoreBenchmark). Anything else: BenchmarkDotNet.
return args.Length > 0 && args[0] == "stores"
    ? await StoreBenchmark.RunAsync(args[1..])
    : RunBenchmarkDotNet(args);

static int RunBenchmarkDotNet(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    return 0;
}
