using System.CommandLine;

namespace ObjectLog.Cli;

/// <summary>
/// <c>--abandoned-merge-grace</c> and <c>--superseded-grace</c> (<see cref="AppendLogOptions.AbandonedMergeGracePeriod"/>
/// and <see cref="AppendLogOptions.SupersededGracePeriod"/>) on <c>compact</c> and <c>verify --repair</c>: how old
/// uncommitted merged data and superseded objects must be before they are deleted. Values are checked while parsing,
/// so a bad one is a usage error before the store is opened.
/// </summary>
internal static class GraceOptions
{
    public static readonly Option<string> AbandonedMerge = Duration(
        "--abandoned-merge-grace",
        "1h", // AppendLogOptions.AbandonedMergeGracePeriod's default, as a user writes it
        "Delete merged data that no manifest committed (a compaction that crashed) once its LastModified in the store is this long ago (0, 30s, 10m, 1h). A running compaction's data is uncommitted too until its manifest is written, so go below its longest run only when no other compaction runs on the log.");

    public static readonly Option<string> Superseded = Duration(
        "--superseded-grace",
        "0", // AppendLogOptions.SupersededGracePeriod's default
        "Delete objects a committed merge superseded once the merge is this old, so a reader that listed them a moment ago can still fetch them (0, 30s, 10m, 1h).");

    /// <summary>The log options with both grace periods as given.</summary>
    public static AppendLogOptions Apply(ParseResult result, AppendLogOptions options)
    {
        options.AbandonedMergeGracePeriod = Value(result, AbandonedMerge);
        options.SupersededGracePeriod = Value(result, Superseded);
        return options;
    }

    /// <summary>The option's value, which the parser has already checked.</summary>
    public static TimeSpan Value(ParseResult result, Option<string> option)
        => TimeArgument.TryParseDuration(result.GetValue(option)!, out TimeSpan span) ? span : throw new ArgumentException($"{option.Name}: not a duration.");

    private static Option<string> Duration(string name, string defaultValue, string description)
    {
        // Kept as text so that help shows the default as it is written ("1h", not "01:00:00").
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue, HelpName = "duration" };
        option.Validators.Add(result =>
        {
            string text = result.GetValueOrDefault<string>() ?? "";
            if (!TimeArgument.TryParseDuration(text, out _))
            {
                result.AddError($"{name}: '{text}' is not a duration (0, or a whole number and s, m, h, d or w, such as 30s, 10m, 1h).");
            }
        });
        return option;
    }
}
