namespace ObjectLog.Internal;

/// <summary>
/// What a verification found that JSON Lines readers refuse (see <see cref="JsonLine"/>): how many events, and the
/// first <see cref="MaxShown"/>, each named by the object that holds it and its line there, so a log of raw text
/// costs no more memory than a log with one such event.
/// </summary>
internal sealed class NotJsonLines
{
    public const int MaxShown = 100;

    private readonly List<VerifyProblem> _shown = [];

    public long Count { get; private set; }

    public IReadOnlyList<VerifyProblem> Shown => _shown;

    /// <summary>Checks the event on line <paramref name="line"/> (from 1) of object <paramref name="key"/>.</summary>
    public void Check(string key, long line, ReadOnlySpan<byte> data)
    {
        if (JsonLine.Problem(data) is not { } problem)
        {
            return;
        }

        Count++;
        if (_shown.Count < MaxShown)
        {
            _shown.Add(new VerifyProblem(key, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{key} line {line}: {problem}")));
        }
    }
}
