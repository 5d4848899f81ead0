// Built by scripts/package-smoke.sh in a fresh project against the packed packages (not part of the solution):
// each package loads and its main type works.
using Microsoft.Extensions.Logging;
using ObjectLog;
using ObjectLog.Storage;
using Serilog;

string dir = Path.Combine(Path.GetTempPath(), "objectlog-package-smoke-" + Guid.NewGuid().ToString("N"));
using (ObjectStoreLocation location = ObjectStoreUrl.Open("file://" + dir))
{
    await using var log = new AppendLog(location.Store, "events");
    await log.AppendAsync("{\"n\":1}"u8.ToArray());
    await log.FlushAsync();
    if ((await log.ReadAllAsync()).Count != 1) throw new InvalidOperationException("read back");
}

using (ILoggerFactory factory = LoggerFactory.Create(b => b.AddObjectLog("file://" + dir + "/app")))
{
    factory.CreateLogger("smoke").LogInformation("hello {Who}", "packages");
}

Log.Logger = new LoggerConfiguration().WriteTo.ObjectLog("file://" + dir + "/serilog").CreateLogger();
Log.Information("hello {Who}", "serilog");
await Log.CloseAndFlushAsync();

// The cloud packages register their schemes: opening a URL needs no network.
using (ObjectStoreUrl.Open("s3://bucket?region=us-east-1", n => n.StartsWith("AWS_A", StringComparison.Ordinal) || n.StartsWith("AWS_S", StringComparison.Ordinal) ? "x" : null)) { }
using (ObjectStoreUrl.Open("az://container", _ => "UseDevelopmentStorage=true")) { }
_ = typeof(Microsoft.Extensions.DependencyInjection.ObjectLogServiceCollectionExtensions);
Directory.Delete(dir, recursive: true);
Console.WriteLine("package smoke: ok");
