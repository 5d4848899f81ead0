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
        await using var log = new AppendLog(new InMemoryObjectStore(), prefix, Plain(threshold: 2));
        await log.AppendAsync(E("a"));
        await log.AppendAsync(E("bb")); // fills the batch: one PUT of "a\nbb\n"
        await log.AppendAsync(E("c"));
        await log.FlushAsync();
        Assert.Equal(3, (await log.ReadAllAsync()).Count);
        await log.CompactAsync();
        DateTimeOffset cutoff = DateTimeOffset.UtcNow;
        TrimStats trimmed = await log.TrimAsync(cutoff);

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
        // The merged data, its manifest and its end marker: everything the log held was before the cutoff.
        Assert.Equal(3, trimmed.DeletedObjects);
        Assert.Equal(trimmed.DeletedObjects, trim.GetTagItem("objectlog.objects"));
        Assert.Equal(cutoff.UtcTicks / 10, trimmed.Before.UtcTicks / 10); // names count microseconds
        Assert.Equal(trimmed.Before.ToString("O", System.Globalization.CultureInfo.InvariantCulture), trim.GetTagItem("objectlog.trim.before"));

        Assert.Equal(2, metrics["objectlog.batches.stored"]);
        Assert.Equal(7, metrics["objectlog.bytes.stored"]);
        Assert.Equal(1, metrics["objectlog.compactions"]);
    }

    [Fact]
    public async Task Each_store_request_is_a_client_activity_child_of_the_operation_that_made_it()
    {
        string prefix = $"tracing-{Guid.NewGuid():N}/";
        using var activities = new ActivityRecorder(prefix);
        await using var log = new AppendLog(new InMemoryObjectStore(), prefix, Plain());
        await log.AppendAsync(E("a"));
        await log.AppendAsync(E("bb"));
        await log.FlushAsync(); // one PUT of "a\nbb\n"
        Assert.Equal(2, (await log.ReadAllAsync()).Count);

        Activity flush = activities.Single("objectlog.flush");
        Activity put = Assert.Single(ChildrenOf(flush));
        Assert.Equal("objectlog.request", put.OperationName);
        Assert.Equal(ActivityKind.Client, put.Kind);
        Assert.Equal("put", put.GetTagItem("objectlog.request.kind"));
        Assert.Equal(flush.GetTagItem("objectlog.key"), put.GetTagItem("objectlog.key"));
        Assert.Equal(5L, put.GetTagItem("objectlog.bytes"));
        Assert.Equal(prefix, put.GetTagItem("objectlog.prefix"));

        Activity read = activities.Single("objectlog.read");
        List<Activity> requests = ChildrenOf(read);
        List<Activity> lists = requests.Where(a => (string?)a.GetTagItem("objectlog.request.kind") == "list").ToList();
        Assert.NotEmpty(lists); // the batches, and perhaps the manifests
        Assert.All(lists, l => Assert.StartsWith(prefix, (string?)l.GetTagItem("objectlog.key"), StringComparison.Ordinal)); // the prefix listed
        Assert.Contains(lists, l => (long?)l.GetTagItem("objectlog.objects") == 1); // the one batch
        Activity get = Assert.Single(requests, a => (string?)a.GetTagItem("objectlog.request.kind") == "get");
        Assert.Equal(put.GetTagItem("objectlog.key"), get.GetTagItem("objectlog.key"));
        Assert.Equal(5L, get.GetTagItem("objectlog.bytes")); // stopped when the body was closed, with what was received
        Assert.True(get.Duration > TimeSpan.Zero);
        Assert.All(activities.Named("objectlog.request"), a => Assert.NotNull(a.Parent)); // none outside an operation

        List<Activity> ChildrenOf(Activity parent) => activities.Named("objectlog.request").Where(a => a.ParentSpanId == parent.SpanId).ToList();
    }

    [Fact]
    public async Task A_failed_request_is_an_error_activity_under_its_failed_operation()
    {
        string prefix = $"tracing-{Guid.NewGuid():N}/";
        using var activities = new ActivityRecorder(prefix);
        var faulty = new FaultInjectingObjectStore(new InMemoryObjectStore());
        await using var log = new AppendLog(faulty, prefix, Plain());
        await log.AppendAsync(E("a"));
        faulty.FailWhen((call, _) => call == StoreCall.Put ? Fault.FailBefore : null);
        await Assert.ThrowsAsync<InjectedFaultException>(() => log.FlushAsync());
        faulty.FailWhen(null);
        await log.FlushAsync();

        Activity failedFlush = activities.Named("objectlog.flush")[0];
        Activity failedPut = activities.Named("objectlog.request").First(a => a.ParentSpanId == failedFlush.SpanId);
        Assert.Equal(ActivityStatusCode.Error, failedPut.Status);
        Assert.Equal("exception", Assert.Single(failedPut.Events).Name);
        Assert.Equal(ActivityStatusCode.Unset, activities.Named("objectlog.request")[^1].Status); // the retry's PUT
    }

    [Theory]
    [InlineData(StoreCall.Put, "objectlog.flush")]
    [InlineData(StoreCall.Get, "objectlog.read")]
    public async Task A_failed_flush_or_read_is_an_error_activity_with_its_exception(StoreCall failing, string activity)
    {
        string prefix = $"tracing-{Guid.NewGuid():N}/";
        using var activities = new ActivityRecorder(prefix);
        var faulty = new FaultInjectingObjectStore(new InMemoryObjectStore());
        await using var log = new AppendLog(faulty, prefix, Plain());
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
