using System.CommandLine;
using ObjectLog.Cli;

return await ObjlogCommand.Create().Parse(args).InvokeAsync();
