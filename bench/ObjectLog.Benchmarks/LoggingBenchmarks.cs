using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ObjectLog.Storage;
using Serilog;
using ILogger = Microsoft.Extensions.Logging.ILogger;

namespace ObjectLog.Benchmarks;

/// <summary>
/// One <c>ILogger.LogInformation</c> call, the same call through three providers: ObjectLog's (to a store that
/// discards, so the figure is the logging path and not a store's), the console provider (to a null writer; it
/// formats and writes on a background queue) and Serilog's file sink (to a temp file, through
/// Serilog.Extensions.Logging; the sink's defaults, so each event is written through to the file).
/// </summary>
[MemoryDiagnoser]
public class LoggingBenchmarks
{
    private ServiceProvider _objectLog = null!;
    private ServiceProvider _console = null!;
    private ServiceProvider _serilog = null!;
    private ILogger _objectLogLogger = null!;
    private ILogger _consoleLogger = null!;
    private ILogger _serilogLogger = null!;
    private string _serilogFile = "";

    [GlobalSetup]
    public void Setup()
    {
        string scheme = "discard" + Guid.NewGuid().ToString("N")[..8];
        ObjectStoreUrl.Register(scheme, (rest, _) => new ObjectStoreLocation(new DiscardingObjectStore(), rest, "discarding store"));
        (_objectLog, _objectLogLogger) = Build(logging => logging.AddObjectLog($"{scheme}://bench"));

        // The console provider takes Console.Out when it is built: built while Console.Out is the null writer, it
        // writes there, and BenchmarkDotNet keeps the real console for its own output.
        TextWriter stdout = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            (_console, _consoleLogger) = Build(logging => logging.AddConsole());
            _consoleLogger.LogInformation("warm-up"); // starts the provider's queue while Console.Out is still null
        }
        finally
        {
            Console.SetOut(stdout);
        }

        _serilogFile = Path.Combine(Path.GetTempPath(), $"objectlog-bench-serilog-{Guid.NewGuid():N}.log");
        Serilog.Core.Logger serilog = new LoggerConfiguration().WriteTo.File(_serilogFile).CreateLogger();
        (_serilog, _serilogLogger) = Build(logging => logging.AddSerilog(serilog, dispose: true));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _objectLog.DisposeAsync().AsTask().GetAwaiter().GetResult(); // the provider stores what it buffered (here: discards)
        _console.Dispose();
        _serilog.Dispose();
        File.Delete(_serilogFile);
    }

    [Benchmark(Baseline = true)]
    public void ObjectLogProvider() => _objectLogLogger.LogInformation("Order {OrderId} placed by {Customer}", 42, "ada");

    [Benchmark]
    public void ConsoleProvider() => _consoleLogger.LogInformation("Order {OrderId} placed by {Customer}", 42, "ada");

    [Benchmark]
    public void SerilogFileSink() => _serilogLogger.LogInformation("Order {OrderId} placed by {Customer}", 42, "ada");

    private static (ServiceProvider Services, ILogger Logger) Build(Action<ILoggingBuilder> provider)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.ClearProviders();
            logging.SetMinimumLevel(LogLevel.Information);
            provider(logging);
        });
        ServiceProvider built = services.BuildServiceProvider();
        return (built, built.GetRequiredService<ILoggerFactory>().CreateLogger("Orders"));
    }
}
