using System.Diagnostics;
using ObjectLog.Storage;
using ObjectLog.Tests.Fakes;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Log;

public sealed class TracingTests
{
    [Fact]
    public async Task Flush_read_compact_and_trim_are_activities_tagged_with_prefix_counts_and_bytes()
    {
        string prefix = $"tracing-{Guid.NewGuid():N}/";
        using var activities = new ActivityRecorder(prefix);
        using var metrics = new MetricTotals(prefix);
        await using var log = new AppendLog(new InMemoryObjectStore(), prefix, Quiet(threshold: 2));
        await log.AppendAsync(E("a"));
        await log.AppendAsync(E("bb")); // fills the batch: one PUT of "a\nbb\n"
        await log.AppendAsync(E("c"));
        await log.FlushAsync();
        Assert.Equal(3, (await log.ReadAllAsync()).Count);
        await log.CompactAsync();
        await log.TrimAsync(DateTimeOffset.UtcNow);

        List<Activity> flushes = activities.Named("objectlog.flush");
        Assert.Equal(2, flushes.Count);
        Activity first = flushes.Single(a => (int?)a.GetTagItem("objectlog.events") == 2);
        Assert.Equal(5, first.GetTagItem("objectlog.bytes"));
        Assert.Equal(1, first.GetTagItem("objectlog.objects"));
        Assert.StartsWith(prefix + "batch_", (string?)first.GetTagItem("objectlog.key"), StringComparison.Ordinal);
        Assert.Null(first.Parent); // a batch holds many callers' events: its own trace
        Assert.All(flushes, a => Assert.Equal(ActivityStatusCode.Unset, a.Status));

        Activity read = activities.Single("objectlog.read");
        Assert.Equal(3L, read.GetTagItem("objectlog.events"));
        Assert.Equal(7L, read.GetTagItem("objectlog.bytes"));
        Assert.Equal(2, read.GetTagItem("objectlog.objects"));

        Activity compact = activities.Single("objectlog.compact");
        Assert.Equal(2, compact.GetTagItem("objectlog.objects"));
        Assert.Equal(3L, compact.GetTagItem("objectlog.events"));
        Assert.Equal(7L, compact.GetTagItem("objectlog.bytes"));
        Assert.StartsWith(prefix, (string?)compact.GetTagItem("objectlog.key"), StringComparison.Ordinal);

        Activity trim = activities.Single("objectlog.trim");
        Assert.True((int)trim.GetTagItem("objectlog.objects")! >= 1); // the merged object, at least
        Assert.NotNull(trim.GetTagItem("objectlog.trim.before"));

        Assert.Equal(2, metrics["objectlog.batches.stored"]);
        Assert.Equal(7, metrics["objectlog.bytes.stored"]);
        Assert.Equal(1, metrics["objectlog.compactions"]);
    }

    [Theory]
    [InlineData(StoreCall.Put, "objectlog.flush")]
    [InlineData(StoreCall.Get, "objectlog.read")]
    public async Task A_failed_flush_or_read_is_an_error_activity_with_its_exception(StoreCall failing, string activity)
    {
        string prefix = $"tracing-{Guid.NewGuid():N}/";
        using var activities = new ActivityRecorder(prefix);
        var faulty = new FaultInjectingObjectStore(new InMemoryObjectStore());
        await using var log = new AppendLog(faulty, prefix, Quiet());
        await log.AppendAsync(E("a"));
        if (failing == StoreCall.Get)
        {
            await log.FlushAsync();
        }

        faulty.FailWhen((call, _) => call == failing ? Fault.FailBefore : null);
        await Assert.ThrowsAsync<InjectedFaultException>(() => failing == StoreCall.Put ? log.FlushAsync() : log.ReadAllAsync());
        faulty.FailWhen(null);
        await log.FlushAsync();

        Activity failed = activities.Named(activity)[0]; // the first flush, or the only read
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        ActivityEvent exception = Assert.Single(failed.Events);
        Assert.Equal("exception", exception.Name);
        Assert.Equal(typeof(InjectedFaultException).FullName, exception.Tags.Single(t => t.Key == "exception.type").Value);
        Assert.Equal(ActivityStatusCode.Unset, activities.Named("objectlog.flush")[^1].Status); // the retry succeeded
    }
}
