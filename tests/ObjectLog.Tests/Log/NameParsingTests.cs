using ObjectLog.Internal;

namespace ObjectLog.Tests.Log;

/// <summary>
/// Names under a log's prefix: only ASCII digits, only times a <see cref="DateTimeOffset"/> can hold, and nothing after
/// the extension make a name the log's; everything that reads a number or a time out of an accepted name then works.
/// </summary>
public sealed class NameParsingTests
{
    /// <summary>19 Arabic-Indic digit ones (U+0661): <c>\d</c> matches them, <c>long.Parse</c> does not.</summary>
    internal static readonly string ArabicIndic = new('\u0661', 19);

    /// <summary>19 fullwidth digit ones (U+FF11).</summary>
    internal static readonly string Fullwidth = new('\uFF11', 19);

    /// <summary>The latest time a name can carry: 9999-12-31T23:59:59.999999Z, in microseconds since 1970.</summary>
    internal const string LatestMicroseconds = "0253402300799999999";

    /// <summary>One microsecond later: past <see cref="DateTimeOffset.MaxValue"/>.</summary>
    internal const string PastLatestMicroseconds = "0253402300800000000";

    private const string Valid = "0001764064800000000";
    private const string Writer = "-9561af24db0ee4ff-000000000001";

    public static TheoryData<string> NotTheLogs() => new()
    {
        // non-ASCII digits, in every field that holds digits
        $"batch_{ArabicIndic}.jsonl",
        $"batch_{Fullwidth}.jsonl",
        $"batch_{ArabicIndic}{Writer}.jsonl",
        $"batch_{Valid}-9561af24db0ee4ff-{new string('\u0661', 12)}.jsonl",
        $"batch_{ArabicIndic}.c0000abcd.jsonl",
        $"batch_{Valid}~{ArabicIndic}~0000000000000abc.jsonl",
        $"batch_{Valid}~{ArabicIndic}~0000000000000abc.manifest.json",
        $"batch_{ArabicIndic}~{Valid}~0000000000000abc.end.json",
        $"trim_{ArabicIndic}-0000000000000001.json",
        $"trim_{Fullwidth}-0000000000000001.json",

        // times past 9999-12-31, or past long.MaxValue
        "batch_9999999999999999999.jsonl",
        "batch_9223372036854775808.jsonl",
        "batch_2600000000000000000.jsonl",
        $"batch_{PastLatestMicroseconds}.jsonl",
        $"batch_9999999999999999999{Writer}.jsonl",
        $"batch_9999999999999999999{Writer}.c0000abcd.jsonl",
        $"batch_{Valid}~9999999999999999999~0000000000000abc.jsonl",
        $"batch_{Valid}~{PastLatestMicroseconds}{Writer}~0000000000000abc.c0000abcd.jsonl",
        $"batch_{Valid}~9999999999999999999~0000000000000abc.manifest.json",
        $"batch_9999999999999999999~{Valid}~0000000000000abc.end.json",
        "trim_9999999999999999999-0000000000000001.json",
        $"trim_{PastLatestMicroseconds}-0000000000000001.json",

        // anything after the extension, a newline included
        $"batch_{Valid}.jsonl\n",
        $"batch_{Valid}{Writer}.jsonl\n",
        $"batch_{Valid}~{Valid}{Writer}~0000000000000abc.jsonl\n",
        $"batch_{Valid}~{Valid}~0000000000000abc.manifest.json\n",
        $"batch_{Valid}~{Valid}~0000000000000abc.end.json\n",
        "trim_0001764064800000000-0000000000000001.json\n",
    };

    [Theory]
    [MemberData(nameof(NotTheLogs))]
    public void A_name_with_non_ASCII_digits_an_unrepresentable_time_or_a_trailing_newline_is_not_the_logs(string name)
    {
        Assert.False(LogObjectName.TryParse(name, out _), $"'{name}' was taken for the log's");
        Assert.False(LogPosition.TryParse(name + ":0", out _));
        Assert.Throws<FormatException>(() => LogPosition.Parse(name + ":0"));
        Assert.Throws<ArgumentException>(() => new LogPosition(name, 0));
    }

    [Theory]
    [InlineData("batch_9999999999999999999.jsonl:0")]
    [InlineData("batch_2600000000000000000.jsonl:0")]
    [InlineData("batch_0253402300800000000-9561af24db0ee4ff-000000000001.jsonl:3")]
    public void A_position_whose_time_is_past_9999_is_a_FormatException_that_says_so(string text)
    {
        FormatException e = Assert.Throws<FormatException>(() => LogPosition.Parse(text));
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
        Assert.Contains("9999-12-31T23:59:59.999999Z", e.Message, StringComparison.Ordinal);
        Assert.False(LogPosition.TryParse(text, out _));
    }

    [Theory]
    [InlineData("", "BATCH:LINE")]
    [InlineData("batch_0001764064800000000.jsonl", "BATCH:LINE")]
    [InlineData("batch_0001764064800000000.jsonl:x", "line")]
    [InlineData("batch_0001764064800000000.jsonl:-1", "line")]
    [InlineData("batch_0001764064800000000.jsonl:2147483648", "line")]
    [InlineData("batch_0001764064800000000.jsonl:\u0661", "line")]
    [InlineData("nothing:0", "not a batch name")]
    [InlineData("batch_0001764064800000000~0001764064800000001~0000000000000abc.jsonl:0", "not a batch name")]
    public void A_position_that_is_not_one_is_a_FormatException_naming_what_is_wrong(string text, string problem)
    {
        FormatException e = Assert.Throws<FormatException>(() => LogPosition.Parse(text));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.False(LogPosition.TryParse(text, out _));
    }

    [Fact]
    public void The_latest_representable_time_is_a_name_and_reads_back_as_the_last_microsecond_of_9999()
    {
        var latest = new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_990);
        Assert.Equal(LogObjectName.MaxMicroseconds, (DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).Ticks / 10);
        Assert.Equal(LatestMicroseconds, LogObjectName.MaxMicroseconds.ToString("D19", System.Globalization.CultureInfo.InvariantCulture));
        foreach (string name in new[] { $"batch_{LatestMicroseconds}.jsonl", $"batch_{LatestMicroseconds}{Writer}.c0000abcd.jsonl" })
        {
            Assert.True(LogObjectName.TryParse(name, out LogObjectName parsed), name);
            Assert.Equal(latest, LogObjectName.TimeOf(parsed.First));
            var position = LogPosition.Parse(name + ":7");
            Assert.Equal(latest, position.BatchTime);
            Assert.Equal(position, LogPosition.Parse(position.ToString()));
        }

        Assert.Equal($"batch_{LatestMicroseconds}", LogObjectName.FloorAt(DateTimeOffset.MaxValue));
        Assert.True(LogObjectName.TryParse($"trim_{LatestMicroseconds}-0000000000000001.json", out LogObjectName trim));
        Assert.Equal(latest, LogObjectName.TimeOf(trim.First));
        Assert.True(LogPosition.Before(DateTimeOffset.MaxValue) < LogPosition.Parse($"batch_{LatestMicroseconds}.jsonl:0"));
    }

    [Fact]
    public void The_earliest_time_is_a_name_too()
    {
        Assert.True(LogObjectName.TryParse("batch_0000000000000000000.jsonl", out LogObjectName parsed));
        Assert.Equal(DateTimeOffset.UnixEpoch, LogObjectName.TimeOf(parsed.First));
        Assert.Equal(DateTimeOffset.UnixEpoch, LogPosition.Parse("batch_0000000000000000000.jsonl:0").BatchTime);
    }
}
