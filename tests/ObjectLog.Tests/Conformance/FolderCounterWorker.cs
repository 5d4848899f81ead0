using System.Globalization;
using System.Text;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Conformance;

/// <summary>
/// A child process that increments a counter object in a folder store a number of times, each a read and a
/// conditional update retried on <see cref="ObjectChangedException"/>, and prints how many of its updates lost a race.
/// It marks itself ready and waits for a go file, so every worker starts incrementing at once.
/// </summary>
internal static class FolderCounterWorker
{
    public const string Name = "increment-counter";

    /// <summary>Arguments: the store's folder, the counter's key, how many increments, and this worker's number.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [string root, string key, string times, string id])
        {
            await Console.Error.WriteLineAsync($"usage: {Name} ROOT KEY TIMES ID");
            return 2;
        }

        var store = new FileSystemObjectStore(root);
        await File.WriteAllTextAsync(Path.Combine(root, $"ready-{id}"), "");
        using (var waiting = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            while (!File.Exists(Path.Combine(root, "go")))
            {
                await Task.Delay(1, waiting.Token);
            }
        }

        int conflicts = 0;
        for (int i = 0; i < int.Parse(times, CultureInfo.InvariantCulture); i++)
        {
            while (true)
            {
                VersionedObject read = await store.GetVersionedAsync(key);
                long count = long.Parse(Encoding.UTF8.GetString(read.Content.Span), CultureInfo.InvariantCulture);
                try
                {
                    await store.PutVersionedAsync(key, Encoding.UTF8.GetBytes((count + 1).ToString(CultureInfo.InvariantCulture)), PutMode.Update, read.Version);
                    break;
                }
                catch (ObjectChangedException)
                {
                    conflicts++;
                }
            }
        }

        Console.WriteLine(conflicts.ToString(CultureInfo.InvariantCulture));
        return 0;
    }
}
