using System.Text;
using ObjectLog.Storage;
using ObjectLog.Tests.Cli;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary>
/// A prefix whose keys could not be stored is refused when the log is opened, naming the problem, rather than
/// accepted and then failing every flush: one under the filesystem store's reserved staging folder, one too long
/// for the log's longest name to fit the key limit, one with a segment longer than a file name may be.
/// </summary>
public sealed class LogPrefixLimitTests
{
    /// <summary>The longest prefix a log accepts, in UTF-8 bytes: 1,024, less a '/' and the 150 characters of the longest name (a manifest of compressed merged data).</summary>
    private const int LongestPrefix = 873;

    [Theory]
    [InlineData(".objectlog-tmp")]
    [InlineData(".objectlog-tmp/")]
    [InlineData(".objectlog-tmp/events")]
    public void A_prefix_in_the_reserved_staging_folder_is_refused_when_the_log_is_opened(string prefix)
    {
        var e = Assert.Throws<ArgumentException>(() => new AppendLog(new InMemoryObjectStore(), prefix));
        Assert.Contains("'.objectlog-tmp'", e.Message, StringComparison.Ordinal);
        Assert.Contains("reserved", e.Message, StringComparison.Ordinal);
        Assert.Equal("prefix", e.ParamName);
    }

    [Fact]
    public async Task The_reserved_name_deeper_in_a_prefix_is_an_ordinary_folder()
    {
        using var dir = new TempDirectory();
        await using var log = new AppendLog(new FileSystemObjectStore(dir.Path), "logs/.objectlog-tmp", Quiet());
        await log.AppendAsync(E("{}"));
        await log.FlushAsync();
        Assert.Single(await log.ReadAllAsync());
    }

    [Theory]
    [InlineData(LongestPrefix + 1, 'p')]
    [InlineData(1000, 'p')]
    [InlineData(1024, 'p')]
    [InlineData(500, 'é')] // fewer characters than the limit, but two bytes each in UTF-8
    public void A_prefix_too_long_for_the_logs_names_is_refused_when_the_log_is_opened(int length, char c)
    {
        string prefix = Segments(new string(c, length));
        var e = Assert.Throws<ArgumentException>(() => new AppendLog(new InMemoryObjectStore(), prefix));
        Assert.Contains($"at most {LongestPrefix} bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("1024", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_segment_longer_than_a_file_name_may_be_is_refused_when_the_log_is_opened()
    {
        var e = Assert.Throws<ArgumentException>(() => new AppendLog(new InMemoryObjectStore(), "logs/" + new string('s', 256) + "/events"));
        Assert.Contains("255 bytes", e.Message, StringComparison.Ordinal);
        _ = new AppendLog(new InMemoryObjectStore(), "logs/" + new string('s', 255) + "/events"); // the longest segment there is
    }

    [Fact]
    public async Task The_longest_accepted_prefix_holds_every_kind_of_object_the_log_writes()
    {
        using var dir = new TempDirectory();
        string prefix = Segments(new string('p', LongestPrefix));
        Assert.Equal(LongestPrefix, Encoding.UTF8.GetByteCount(prefix));
        await using var log = new AppendLog(new FileSystemObjectStore(dir.Path), prefix + "/", Quiet(threshold: 1));
        for (int i = 0; i < 3; i++)
        {
            await log.AppendAsync(E($"{{\"n\":{i}}}"));
        }

        CompactionStats stats = await log.CompactAsync(); // merged data, its end marker and its manifest: the longest names
        Assert.NotNull(stats.NewKey);
        Assert.Equal(3, (await log.ReadAllAsync()).Count);
        await log.TrimAsync(DateTimeOffset.UtcNow);
        Assert.Empty(await log.ReadAllAsync());
    }

    [Theory]
    [InlineData(".objectlog-tmp", "reserved")]
    [InlineData(".objectlog-tmp/events", "reserved")]
    [InlineData("LONG", "at most 873 bytes")]
    public async Task The_cli_refuses_such_a_log_as_a_usage_error_before_it_opens_the_store(string log, string problem)
    {
        using var dir = new TempDirectory();
        string store = Path.Combine(dir.Path, "store");
        log = log == "LONG" ? Segments(new string('l', 900)) : log;
        (int code, string output, string error) = await Objlog.RunAsync(dir.Path, ["append", "--store", store, "--log", log], "{}\n");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("--log", error, StringComparison.Ordinal);
        Assert.Contains(problem, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(store)); // nothing created
    }

    [Fact]
    public async Task The_cli_checks_the_whole_prefix_a_store_url_and_log_make()
    {
        using var dir = new TempDirectory();
        string storePrefix = Segments(new string('s', 872)); // and '/events': 879 bytes
        (int code, string output, string error) = await Objlog.RunAsync(dir.Path, ["append", "--store", $"memory://m/{storePrefix}", "--log", "events"], "{}\n");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("at most 873 bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_limit_follows_the_longest_name_the_log_writes()
    {
        Assert.Equal(150, ObjectLog.Internal.LogNameLimits.LongestName); // batch_{49}~{49}~{16}.c{8}.zst.manifest.json
        Assert.Equal(LongestPrefix, ObjectKey.MaxLength - 1 - ObjectLog.Internal.LogNameLimits.LongestName);
        ObjectKey.ValidateLogPrefix(new string('p', 99) + "/" + new string('p', 99)); // no throw
        ObjectKey.ValidatePrefix(new string('p', 1000)); // a listing prefix keeps the store's own rules
    }

    /// <summary><paramref name="text"/> with a '/' in place of every 100th character, so no segment is too long for a file name.</summary>
    private static string Segments(string text)
    {
        char[] chars = text.ToCharArray();
        for (int i = 99; i < chars.Length - 1; i += 100)
        {
            chars[i] = '/';
        }

        return new string(chars);
    }
}
