using System.Collections.Concurrent;
using System.Diagnostics;

namespace ObjectLog.Tests.Log;

/// <summary>Records every ObjectLog activity tagged with one log prefix, once stopped, while it lives.</summary>
public sealed class ActivityRecorder : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public ActivityRecorder(string prefix)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ObjectLogMetrics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if ((string?)activity.GetTagItem("objectlog.prefix") == prefix)
                {
                    _stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The stopped activities with this operation name, in the order they stopped.</summary>
    public List<Activity> Named(string name) => _stopped.Where(a => a.OperationName == name).ToList();

    /// <summary>The single stopped activity with this operation name.</summary>
    public Activity Single(string name) => Assert.Single(Named(name));

    public void Dispose() => _listener.Dispose();
}
