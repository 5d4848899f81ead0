using System.Diagnostics;

namespace ObjectLog.Internal;

/// <summary>
/// The <see cref="ActivitySource"/> named <see cref="ObjectLogMetrics.ActivitySourceName"/> and the few helpers every
/// traced operation shares. <see cref="Start"/> returns <see langword="null"/> when nobody listens, and callers
/// compute tags only when it did not, so tracing costs one check when it is off.
/// </summary>
internal static class Tracing
{
    public const string Flush = "objectlog.flush";
    public const string Read = "objectlog.read";
    public const string Compact = "objectlog.compact";
    public const string Trim = "objectlog.trim";
    public const string Request = "objectlog.request";

    public const string PrefixTag = "objectlog.prefix";
    public const string ObjectsTag = "objectlog.objects";
    public const string BytesTag = "objectlog.bytes";
    public const string EventsTag = "objectlog.events";
    public const string KeyTag = "objectlog.key";
    public const string BeforeTag = "objectlog.trim.before";
    public const string RequestKindTag = "objectlog.request.kind";

    private static readonly ActivitySource Source = new(ObjectLogMetrics.ActivitySourceName);

    /// <summary>Starts an activity tagged with the log's prefix, or returns <see langword="null"/> when nobody listens.</summary>
    /// <param name="name">One of the activity names above.</param>
    /// <param name="logPrefix">The log's key prefix.</param>
    /// <param name="root">
    /// Start a new trace instead of joining the caller's, for work shared by many callers (a batch holds events of
    /// many requests). The caller must be an async method that runs on its own, since its ambient activity is cleared.
    /// </param>
    /// <param name="kind">A store request is <see cref="ActivityKind.Client"/>: a call out of the process.</param>
    public static Activity? Start(string name, string logPrefix, bool root = false, ActivityKind kind = ActivityKind.Internal)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        if (root)
        {
            // Activity.Current is async-local: clearing it here affects only the calling async method (see the param).
            Activity.Current = null;
        }

        Activity? activity = Source.StartActivity(name, kind);
        activity?.SetTag(PrefixTag, logPrefix);
        return activity;
    }

    /// <summary>Marks <paramref name="activity"/> failed with <paramref name="exception"/>; returns <see langword="false"/>, for use as an exception filter that does not catch.</summary>
    public static bool Fail(Activity? activity, Exception exception)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity.AddException(exception);
        }

        return false;
    }

    /// <summary>Moves <paramref name="items"/> on, marking <paramref name="activity"/> failed if that throws: an enumeration traced as one activity.</summary>
    public static async ValueTask<bool> MoveNextAsync<T>(IAsyncEnumerator<T> items, Activity? activity)
    {
        try
        {
            return await items.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (Fail(activity, e))
        {
            throw; // never: the filter only records
        }
    }
}
