using System.CommandLine;

namespace ObjectLog.Cli;

/// <summary><c>objlog help</c>: shows help for objlog or one of its commands, on stdout.</summary>
internal static class HelpCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("command") { Description = "The command to describe.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("help", "Show help for objlog or one of its commands.") { name };
        command.SetAction((result, ct) =>
        {
            string? n = result.GetValue(name);
            if (n is not null && !ObjlogCommand.Create().Subcommands.Any(c => c.Name == n))
            {
                return ObjlogCommand.UnknownCommandAsync(n);
            }

            return ObjlogCommand.InvokeAsync(n is null ? ["--help"] : [n, "--help"]);
        });
        return command;
    }
}
