using ObjectLog.Storage;

namespace ObjectLog.Internal;

/// <summary>
/// Where a named consumer's state lives: <c>{prefix}_consumers/{name}.json</c>. The folder sorts before
/// <c>batch_</c> and is nested, so no reader, compaction or trim takes it for the log's (every log name sits directly
/// under the prefix), and a tail's listing, which starts at a batch floor, never pages through it.
/// </summary>
internal static class ConsumerNames
{
    /// <summary>The folder, relative to the log's prefix.</summary>
    public const string Folder = "_consumers/";

    /// <summary>What every state object's name ends with.</summary>
    public const string Extension = ".json";

    /// <summary>The longest name accepted, in characters.</summary>
    public const int MaxLength = 100;

    /// <summary>
    /// Checks a consumer's name: 1 to <see cref="MaxLength"/> ASCII letters, digits, <c>-</c>, <c>_</c> and <c>.</c>,
    /// not starting with <c>.</c>: one key segment that reads the same on every store and in every shell.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">It breaks the rules; the message says which.</exception>
    public static void Validate(string name, string paramName = "name")
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (WhyNot(name) is { } problem)
        {
            throw new ArgumentException($"'{name}' is not a consumer name: {problem}.", paramName);
        }
    }

    /// <summary>Why <paramref name="name"/> is not a consumer name, as a phrase; <see langword="null"/> if it is one.</summary>
    public static string? WhyNot(string name)
    {
        if (name.Length == 0)
        {
            return "it is empty";
        }

        if (name.Length > MaxLength)
        {
            return $"it is {name.Length} characters long, more than {MaxLength}";
        }

        if (name[0] == '.')
        {
            return "it starts with '.'";
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return $"it holds '{c}'; only ASCII letters, digits, '-', '_' and '.' are allowed";
            }
        }

        return null;
    }

    /// <summary>The key of <paramref name="name"/>'s state object in the log under <paramref name="logPrefix"/>.</summary>
    public static string Key(string logPrefix, string name) => logPrefix + Folder + name + Extension;

    /// <summary>The prefix every consumer state key of the log starts with.</summary>
    public static string ListPrefix(string logPrefix) => logPrefix + Folder;

    /// <summary>The consumer whose state <paramref name="key"/> is, if it is one of the log's under <paramref name="logPrefix"/>.</summary>
    public static bool TryNameOf(string logPrefix, string key, out string name)
    {
        name = "";
        string folder = ListPrefix(logPrefix);
        if (!key.StartsWith(folder, StringComparison.Ordinal) || !key.EndsWith(Extension, StringComparison.Ordinal))
        {
            return false;
        }

        string candidate = key[folder.Length..^Extension.Length];
        if (WhyNot(candidate) is not null)
        {
            return false;
        }

        name = candidate;
        return true;
    }

    /// <summary>Lists the state objects of the log's consumers, in name order.</summary>
    public static async Task<IReadOnlyList<(string Name, ObjectMeta Meta)>> ListAsync(IObjectStore store, string logPrefix, CancellationToken cancellationToken)
    {
        var found = new List<(string Name, ObjectMeta Meta)>();
        await foreach (ObjectMeta meta in store.ListAsync(ListPrefix(logPrefix), null, cancellationToken).ConfigureAwait(false))
        {
            if (TryNameOf(logPrefix, meta.Key, out string name))
            {
                found.Add((name, meta));
            }
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return found;
    }
}
