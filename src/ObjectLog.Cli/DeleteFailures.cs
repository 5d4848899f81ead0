using ObjectLog.Storage;

namespace ObjectLog.Cli;

/// <summary>What <c>compact</c>, <c>trim</c> and <c>verify --repair</c> say about the objects they meant to delete but could not.</summary>
internal static class DeleteFailures
{
    /// <summary>The most objects a command lists by name that it could not delete; a count stands for the rest.</summary>
    private const int DeleteFailuresShown = 20;

    /// <summary>
    /// Prints to stderr each object that a compaction, trim or repair meant to delete but could not, with the store's
    /// reason; returns whether there was one, for the command to exit 1. Garbage left behind harms no reader, but a
    /// store that refuses deletes keeps growing, so it is never silent.
    /// </summary>
    public static async Task<bool> ReportAsync(IReadOnlyList<DeleteFailure> failures)
    {
        if (failures.Count == 0)
        {
            return false;
        }

        await Console.Error.WriteLineAsync($"objlog: could not delete {failures.Count} object(s); readers do not see them, and the next compaction or trim tries again:");
        foreach (DeleteFailure failure in failures.Take(DeleteFailuresShown))
        {
            await Console.Error.WriteLineAsync($"objlog:   {failure.Key}: {failure.Reason}");
        }

        if (failures.Count > DeleteFailuresShown)
        {
            await Console.Error.WriteLineAsync($"objlog:   and {failures.Count - DeleteFailuresShown} more");
        }

        return true;
    }
}
