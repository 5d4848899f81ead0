namespace ObjectLog;

/// <summary>One problem <see cref="AppendLog.VerifyAsync"/> found.</summary>
/// <param name="Key">The full key of the object (or, for an event out of order, of the batch) it concerns.</param>
/// <param name="Message">What is wrong, as a sentence that names the key.</param>
public sealed record VerifyProblem(string Key, string Message)
{
    /// <summary>The <see cref="Message"/>.</summary>
    public override string ToString() => Message;
}
