namespace ObjectLog.Cli;

/// <summary>Rewrites .NET's wording in error messages into a command-line user's: no parameter names, no type names.</summary>
internal static class UserTerms
{
    private static readonly (string Net, string User)[] Types =
    [
        ("'System.Int32'", "a whole number"),
        ("'System.Int64'", "a whole number"),
        ("'System.Double'", "a number"),
        ("'System.Boolean'", "true or false"),
        ("'System.String'", "text"),
    ];

    /// <summary>The message without what .NET adds for programmers: the parameter's name and the value out of range.</summary>
    public static string Of(ArgumentException e)
    {
        string message = e.Message;
        if (e is ArgumentOutOfRangeException { ActualValue: not null } && message.IndexOf("\nActual value was ", StringComparison.Ordinal) is var at and >= 0)
        {
            message = message[..at].TrimEnd('\r');
        }

        return e.ParamName is null ? message : message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
    }

    public static string Of(string message)
    {
        foreach ((string net, string user) in Types)
        {
            message = message.Replace("expected type " + net, user, StringComparison.Ordinal).Replace(net, user, StringComparison.Ordinal);
        }

        return message;
    }
}
