namespace ObjectLog.Tests.Conformance;

/// <summary>
/// The test assembly run as a program (<c>dotnet ObjectLog.Tests.dll WORKER ARGS…</c>): a test that needs several
/// processes on one store starts its workers this way. Without arguments it does nothing, as the entry point the
/// test SDK would generate.
/// </summary>
internal static class TestAssemblyProgram
{
    public static async Task<int> Main(string[] args) => args switch
    {
        [] => 0,
        [FolderCounterWorker.Name, .. var rest] => await FolderCounterWorker.RunAsync(rest),
        _ => 2,
    };
}
