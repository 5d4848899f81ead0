using ObjectLog.Storage;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

/// <summary><see cref="AppendLog.VerifyAsync"/>: a sound log passes with its counts; each kind of damage is named by key, and nothing changes.</summary>
public sealed class VerifyTests
{
    [Fact]
    public async Task A_sound_log_passes_with_its_objects_and_events_counted()
    {
        var store = new InMemoryObjectStore();
        using var totals = new MetricTotals("v/");
        await using var log = new AppendLog(store, "v", Quiet(threshold: 2));
        foreach (string e in new[] { "a", "b", "c", "d", "e" })
        {
            await log.AppendAsync(E(e));
        }

        await log.FlushAsync();
        await log.CompactAsync();
        await log.AppendAsync(E("f"));
        await log.FlushAsync();
        await store.PutAsync("v/notes.txt", E("not ours"));
        double getsBefore = totals["objectlog.requests", "get"];

        VerifyReport report = await log.VerifyAsync();

        Assert.True(report.IsSound, string.Join("; ", report.Problems));
        Assert.Equal(1, report.BatchObjects);
        Assert.Equal(1, report.MergedObjects);
        Assert.Equal(2, report.ObjectsChecked);
        Assert.Equal(1, report.ForeignObjects);
        Assert.Equal(0, report.UncommittedMerges);
        Assert.Equal(6, report.Events);
        Assert.Equal(12, report.Bytes);
        Assert.True(totals["objectlog.requests", "get"] > getsBefore, "verifying is on the request bill");
    }

    [Fact]
    public async Task Events_json_lines_readers_refuse_are_named_by_object_key_and_line_and_leave_the_log_sound()
    {
        var store = new InMemoryObjectStore();
        await using var log = new AppendLog(store, "v", Quiet(threshold: 4));
        await log.AppendAsync(E("{\"ok\":1}"));
        await log.AppendAsync((byte[])[.. E("{\"bad\":\""), 0xff, 0xfe, .. E("\"}")]);
        await log.AppendAsync(E("plain text"));
        await log.AppendAsync(E("[1,2]"));
        await log.FlushAsync();
        string key = Assert.Single(await store.ListSortedAsync("v/", null)).Key;

        VerifyReport report = await log.VerifyAsync();

        Assert.True(report.IsSound, string.Join("; ", report.Problems)); // ObjectLog stores bytes: a reader of the log reads them back
        Assert.Equal(4, report.Events);
        Assert.Equal(2, report.NotJsonEvents);
        Assert.Collection(
            report.NotJsonEventProblems,
            p =>
            {
                Assert.Equal(key, p.Key);
                Assert.Equal($"{key} line 2: not valid UTF-8 (at byte 9)", p.Message);
            },
            p =>
            {
                Assert.Equal(key, p.Key);
                Assert.StartsWith($"{key} line 3: not JSON: ", p.Message, StringComparison.Ordinal);
            });
    }

    [Fact]
    public async Task A_truncated_batch_is_named_by_key_and_left_as_it_is()
    {
        var store = new InMemoryObjectStore();
        await using var log = new AppendLog(store, "v", Quiet(threshold: 1));
        await log.AppendAsync(E("a"));
        const string bad = "v/batch_0001700000000000001.jsonl";
        await store.PutAsync(bad, E("{\"truncated"));

        VerifyReport report = await log.VerifyAsync();

        VerifyProblem problem = Assert.Single(report.Problems);
        Assert.Equal(bad, problem.Key);
        Assert.Contains($"'{bad}' is corrupt", problem.Message, StringComparison.Ordinal);
        Assert.False(report.IsSound);
        Assert.Equal(0, report.Events); // not read whole: the read would stop at the bad object
        Assert.Equal("{\"truncated", System.Text.Encoding.UTF8.GetString(await store.GetBytesAsync(bad)));
    }

    [Fact]
    public async Task Merged_data_that_does_not_match_its_manifest_is_named_by_key()
    {
        var store = new InMemoryObjectStore();
        await using var log = new AppendLog(store, "v", Plain(threshold: 1));
        await log.AppendAsync(E("a"));
        await log.AppendAsync(E("b"));
        string merged = (await log.CompactAsync()).NewKey!;
        await store.PutAsync(merged, E("a\nb\nextra\n"));

        VerifyReport report = await log.VerifyAsync();

        VerifyProblem problem = Assert.Single(report.Problems);
        Assert.Equal(merged, problem.Key);
        Assert.Contains("but its manifest gives 4", problem.Message, StringComparison.Ordinal);
    }
}
