using System.CommandLine;

namespace ObjectLog.Cli;

/// <summary>
/// <c>objlog tail</c>: prints the latest events of a log; with <c>--follow</c>, keeps printing new ones; with
/// <c>--consumer NAME</c>, follows as that named consumer, from where it last committed.
/// </summary>
internal static class TailCommand
{
    public static Command Create()
    {
        var lines = new Option<int>("--lines", "-n") { Description = "How many of the latest events to print first (ignored with --after and --since).", DefaultValueFactory = _ => 10 };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events as writers store them, until interrupted." };
        var interval = new Option<double>("--interval") { Description = "Seconds between checks for new events when following.", DefaultValueFactory = _ => 1.0 };
        var consumer = new Option<string?>("--consumer") { Description = "Follow as this named consumer: start after its last commit (or, the first time, at --since or the beginning), commit what was printed, and hold its name so two copies never both print. Implies --follow." };
        var lease = new Option<double>("--lease") { Description = "With --consumer: seconds another copy waits, after this one stops renewing, before taking over.", DefaultValueFactory = _ => 30.0 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "With --consumer: commit after this many printed events (and at least every 5 seconds while printing, and on exit).", DefaultValueFactory = _ => 1000 };
        var command = new Command("tail", "Print the latest events of a log; with --follow, keep printing new ones; with --consumer NAME, follow as a named consumer that keeps its place.") { lines, follow, interval, ReadOptions.After, ReadOptions.Since, ReadOptions.Positions, consumer, lease, checkpointEvery };
        // Option validators, not the command's: a command validator runs before defaults are filled in.
        ObjlogCommand.Validate(lines.Validators, result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                throw new ArgumentException("--lines must be 0 or more.");
            }
        });
        ObjlogCommand.Validate(interval.Validators, result =>
        {
            if (!(result.GetValueOrDefault<double>() > 0))
            {
                throw new ArgumentException("--interval must be more than 0 seconds.");
            }
        });
        ObjlogCommand.Validate(command.Validators, result =>
        {
            LogPosition? after = ReadOptions.ParseAfter(result);
            DateTimeOffset? since = result.GetValue(ReadOptions.Since) is { } s ? TimeArgument.ParseTime(s, DateTimeOffset.UtcNow, "--since") : null;
            if (after is not null && since is not null)
            {
                throw new ArgumentException("--after cannot be combined with --since.");
            }

            if (result.GetValue(consumer) is not null)
            {
                if (after is not null || result.GetResult(lines) is { Implicit: false })
                {
                    throw new ArgumentException("--consumer starts where the consumer last committed: it cannot be combined with --after or --lines.");
                }

                try
                {
                    _ = new LogConsumerOptions { LeaseDuration = TimeSpan.FromSeconds(result.GetValue(lease)), CheckpointEveryEvents = result.GetValue(checkpointEvery) };
                }
                catch (ArgumentOutOfRangeException)
                {
                    throw new ArgumentException("--lease must be more than 0 seconds, and --checkpoint-every 0 or more.");
                }
            }
        });
        command.SetAction((result, ct) => ObjlogCommand.Run(result, async (location, ct) =>
        {
            int n = result.GetValue(lines);
            double seconds = result.GetValue(interval);

            var options = new AppendLogOptions { FlushInterval = Timeout.InfiniteTimeSpan, TailPollInterval = TimeSpan.FromSeconds(seconds) };
            await using var log = new AppendLog(location.Store, location.LogPrefix, options);
            await using var output = new EventWriter(result.GetValue(ReadOptions.Positions));
            if (result.GetValue(consumer) is { } name)
            {
                DateTimeOffset? startAt = result.GetValue(ReadOptions.Since) is { } s ? TimeArgument.ParseTime(s, await ReadOptions.SpanOriginAsync(log, ct, s), "--since") : null;
                var consumerOptions = new LogConsumerOptions
                {
                    LeaseDuration = TimeSpan.FromSeconds(result.GetValue(lease)),
                    CheckpointEveryEvents = result.GetValue(checkpointEvery),
                    // Only the first time: afterwards the consumer starts after its commit, whatever --since says.
                    Start = startAt is { } t && TailStart(t) is not null ? LogConsumerStart.At(t) : LogConsumerStart.Beginning,
                };
                return await ConsumeAsync(log.CreateConsumer(name, consumerOptions), output, ct);
            }

            LogPosition? after = ReadOptions.ParseAfter(result.CommandResult);
            var read = new RecentBatches(options.TailLookBack + TimeSpan.FromMinutes(1)); // what the first pass listed, as far back as a tail looks
            if (result.GetValue(ReadOptions.Since) is { } since)
            {
                after = TailStart(TimeArgument.ParseTime(since, await ReadOptions.SpanOriginAsync(log, ct, since), "--since"));
                if (!result.GetValue(follow))
                {
                    await foreach (LogEvent e in log.ReadEventsAsync(after, ct))
                    {
                        await output.WriteAsync(e, ct);
                    }
                }
            }
            else if (after is null)
            {
                // Read from the newest objects back, as far as n events need; following, name the batches listed
                // within the tail's look-back too, so it does not print the older ones as new.
                RecentEvents? recent = result.GetValue(follow) ? await log.ReadRecentEventsAsync(n, read.Window, ct) : null;
                IReadOnlyList<LogEvent> lastEvents = recent?.Events ?? await log.ReadLastAsync(n, ct);
                IReadOnlyList<string> listed = recent?.RecentBatches ?? [];
                foreach (string batch in listed)
                {
                    read.Add(batch);
                }

                foreach (LogEvent e in lastEvents)
                {
                    await output.WriteAsync(e, ct);
                    after = e.Position;
                }

                if (after is null && listed.Count > 0)
                {
                    after = new LogPosition(listed[^1], 0); // -n 0: follow from the newest batch, which it skips
                }
            }
            else if (!result.GetValue(follow))
            {
                await foreach (LogEvent e in log.ReadEventsAsync(after, ct))
                {
                    await output.WriteAsync(e, ct);
                }
            }

            if (result.GetValue(follow))
            {
                await output.FlushAsync(ct);
                try
                {
                    await foreach (LogEvent e in log.TailAsync(after, ct))
                    {
                        if (read.Contains(e.Position))
                        {
                            continue; // the tail resumes at least once: it looks back over what the first pass listed
                        }

                        await output.WriteAsync(e, ct);
                        await output.FlushAsync(ct);
                    }
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    // interrupted: the normal way to stop following
                }
            }

            return 0;
        }, ct, readOnly: true, waitsForEvents: result.GetValue(follow) || result.GetValue(consumer) is not null));
        return command;
    }

    /// <summary>
    /// Prints what <paramref name="consumer"/> delivers until interrupted. An event counts as handled once it is
    /// printed and flushed (the consumer is asked for the next one only then), so a kill loses no printed event's
    /// commit and prints again, at most, what came after the last commit.
    /// </summary>
    private static async Task<int> ConsumeAsync(LogConsumer consumer, EventWriter output, CancellationToken ct)
    {
        await using (consumer)
        {
            using var reading = CancellationTokenSource.CreateLinkedTokenSource(ct);
            Task announcing = AnnounceWaitAsync(consumer, reading.Token);
            try
            {
                await foreach (LogEvent e in consumer.ReadAsync(ct))
                {
                    await output.WriteAsync(e, ct);
                    await output.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // interrupted: disposing commits what was printed and lets another copy take over at once
            }
            finally
            {
                await reading.CancelAsync();
                await announcing;
            }
        }

        return 0;
    }

    /// <summary>
    /// Says on stderr, once, that another copy holds the consumer's name and this one waits as its standby; otherwise
    /// a copy started beside a running one would print nothing and say nothing.
    /// </summary>
    private static async Task AnnounceWaitAsync(LogConsumer consumer, CancellationToken ct)
    {
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (!consumer.IsOwner && await poll.WaitForNextTickAsync(ct))
            {
                if (consumer.HeldBy is { } owner)
                {
                    await Console.Error.WriteLineAsync($"objlog: consumer \"{consumer.Name}\" is held by {owner}; this copy ({consumer.OwnerId}) waits and takes over once that one stops renewing its lease.");
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Where <c>tail --since</c> starts: just before <paramref name="since"/>, or at the start of the log when that
    /// is at or before the first microsecond of 1970 (no batch is earlier), as <c>cat --since</c> does.
    /// </summary>
    private static LogPosition? TailStart(DateTimeOffset since)
        => since >= DateTimeOffset.UnixEpoch.AddTicks(TimeSpan.TicksPerMicrosecond) ? LogPosition.Before(since) : null;
}
