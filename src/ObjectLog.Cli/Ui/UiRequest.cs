using Microsoft.AspNetCore.Http;

namespace ObjectLog.Cli.Ui;

/// <summary>
/// What an endpoint was asked, read from the query string once: the log, the time range and the filter (docs/ui.md,
/// "Filters"). A malformed value is an <see cref="ArgumentException"/>, which the server answers with 400.
/// </summary>
internal sealed class UiRequest
{
    private readonly IQueryCollection _query;

    private UiRequest(IQueryCollection query, string name, AppendLog log, EventFilter filter)
    {
        _query = query;
        Name = name;
        Log = log;
        Filter = filter;
    }

    /// <summary>The log's name under the store's prefix.</summary>
    public string Name { get; }

    public AppendLog Log { get; }

    public EventFilter Filter { get; }

    /// <summary>The <c>range</c> parameter, if any.</summary>
    public string? RangeName => _query["range"].FirstOrDefault();

    /// <exception cref="ArgumentException">No log was named and the server has none, or a value is malformed.</exception>
    public static UiRequest Read(HttpRequest request, LogCatalog catalog, string? fixedLog)
    {
        IQueryCollection query = request.Query;
        string name = query["log"].FirstOrDefault() is { Length: > 0 } log ? log : fixedLog ?? throw new ArgumentException("log: name the log to read (the logs endpoint lists them).");
        return new UiRequest(query, name, catalog.Open(name), EventFilter.Parse(query["level"], query["q"].FirstOrDefault(), query["where"]));
    }

    /// <summary>The time range asked for; a span counts back from the store's time.</summary>
    /// <exception cref="ArgumentException">A value is malformed.</exception>
    public async ValueTask<TimeRange> RangeAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset now = TimeRange.IsRelative(RangeName) ? await Log.GetStoreTimeAsync(cancellationToken).ConfigureAwait(false) : default;
        return TimeRange.Parse(RangeName, _query["from"].FirstOrDefault(), _query["until"].FirstOrDefault(), now);
    }

    /// <summary>The <c>after</c> position, if given.</summary>
    /// <exception cref="ArgumentException">It is not a position.</exception>
    public LogPosition? After => _query["after"].FirstOrDefault() is { Length: > 0 } text
        ? LogPosition.TryParse(text, out LogPosition position) ? position : throw new ArgumentException($"after: '{text}' is not a position (BATCH:LINE).")
        : null;

    /// <summary>An integer parameter within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <exception cref="ArgumentException">It is not a whole number in range.</exception>
    public int Int(string name, int defaultValue, int min, int max)
        => _query[name].FirstOrDefault() is not { Length: > 0 } text ? defaultValue
            : int.TryParse(text, out int value) && value >= min && value <= max ? value
            : throw new ArgumentException($"{name}: '{text}' is not a whole number from {min} to {max}.");

    /// <summary>A parameter that must be one of <paramref name="allowed"/> (the first is the default).</summary>
    /// <exception cref="ArgumentException">It is something else.</exception>
    public string OneOf(string name, params string[] allowed)
        => _query[name].FirstOrDefault() is not { Length: > 0 } text ? allowed[0]
            : allowed.Contains(text, StringComparer.Ordinal) ? text
            : throw new ArgumentException($"{name}: '{text}' is not one of {string.Join(", ", allowed)}.");
}
