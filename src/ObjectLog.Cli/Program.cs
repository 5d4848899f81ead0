using ObjectLog.Cli;

return await ObjlogCommand.InvokeAsync(args);
