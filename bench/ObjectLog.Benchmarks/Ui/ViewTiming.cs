namespace ObjectLog.Benchmarks.Ui;

/// <summary>
/// One page view's endpoint timed: its first call on a fresh server and the median of the calls after it (wall time,
/// and the process's CPU time over the call: on a shared machine the difference is mostly waiting for a core), with
/// the store requests each made (<see langword="null"/> where the store is not counted) and what the answer held.
/// </summary>
internal sealed record ViewTiming(
    string View,
    string Request,
    string Answer,
    TimeSpan First,
    TimeSpan FirstCpu,
    TimeSpan Median,
    TimeSpan MedianCpu,
    RequestCounts? FirstRequests,
    RequestCounts? MostRequestsLater);
