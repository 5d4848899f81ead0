using ObjectLog.Storage;

namespace ObjectLog.Tests.Log;

/// <summary>The model-based fault test (<see cref="AppendLogModel"/>) on the local stores.</summary>
public sealed class AppendLogModelTests
{
    /// <summary>Sequences per run; set OBJECTLOG_MODEL_ITERATIONS for a long soak (the CI run is short), on both stores.</summary>
    private static readonly int? Soak = int.TryParse(Environment.GetEnvironmentVariable("OBJECTLOG_MODEL_ITERATIONS"), out int n) && n > 0 ? n : null;

    private static readonly int Iterations = Soak ?? 400;

    [Fact]
    public Task Random_operations_with_faults_match_the_model_in_memory()
        => AppendLogModel.RunRandomSequencesAsync(() => new InMemoryObjectStore(), Iterations, maxOperations: 60);

    [Fact]
    public async Task Random_operations_with_faults_match_the_model_on_the_filesystem()
    {
        using var dir = new TempDirectory();
        int n = 0;
        await AppendLogModel.RunRandomSequencesAsync(() => new FileSystemObjectStore(Path.Combine(dir.Path, $"{n++}")), Soak ?? 40, maxOperations: 40);
    }
}
