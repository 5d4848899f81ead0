using System.CommandLine;

namespace ObjectLog.Cli;

/// <summary>
/// <c>--compression none|gzip|zstd</c> (<see cref="AppendLogOptions.Compression"/>) on <c>append</c>, for the batches
/// it stores, and on <c>compact</c>, for the merged object it writes. Any case of a <see cref="LogCompression"/> name
/// is taken, and nothing else (not its number): the value is checked while parsing, so a bad one is a usage error
/// before the store is opened.
/// </summary>
internal static class CompressionOption
{
    public static readonly Option<string> Option = Create();

    /// <summary>The option's value, which the parser has already checked.</summary>
    public static LogCompression Value(ParseResult result)
        => TryParse(result.GetValue(Option)!, out LogCompression compression) ? compression : throw new ArgumentException($"{Option.Name}: not a compression.");

    private static bool TryParse(string text, out LogCompression compression)
    {
        foreach (LogCompression value in Enum.GetValues<LogCompression>())
        {
            if (string.Equals(text, value.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                compression = value;
                return true;
            }
        }

        compression = default;
        return false;
    }

    private static Option<string> Create()
    {
        // Kept as text so that help shows the default as a user writes it.
        var option = new Option<string>("--compression")
        {
            Description = "How stored objects are encoded: none (plain .jsonl), gzip (.jsonl.gz) or zstd (.jsonl.zst). Every reader decodes any mix.",
            DefaultValueFactory = _ => "zstd", // AppendLogOptions.Compression's default
            HelpName = "none|gzip|zstd",
        };
        option.Validators.Add(result =>
        {
            string text = result.GetValueOrDefault<string>() ?? "";
            if (!TryParse(text, out _))
            {
                result.AddError($"{option.Name}: '{text}' is not a compression (none, gzip or zstd).");
            }
        });
        return option;
    }
}
