using Microsoft.Extensions.Time.Testing;
using ObjectLog.Internal;
using ObjectLog.Storage;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Consumers;

/// <summary>A log on a memory store with a fake clock, and consumer states written as an owner would write them.</summary>
internal sealed class AdminStates : IAsyncDisposable
{
    public const string Prefix = "app";

    public AdminStates(AppendLogOptions? options = null)
    {
        Clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        Store = new Fakes.FaultInjectingObjectStore(new InMemoryObjectStore(Clock));
        options ??= new AppendLogOptions();
        options.FlushThreshold = 1;
        options.FlushInterval = Timeout.InfiniteTimeSpan;
        options.TimeProvider = Clock;
        Log = new AppendLog(Store, Prefix, options);
    }

    public FakeTimeProvider Clock { get; }

    public Fakes.FaultInjectingObjectStore Store { get; }

    public AppendLog Log { get; }

    /// <summary>Appends one event a minute, each in its batch; returns their positions.</summary>
    public async Task<List<LogPosition>> AppendMinutesAsync(int count)
    {
        for (int i = 0; i < count; i++)
        {
            await Log.AppendAsync(E($"e{i}"));
            await Log.FlushAsync();
            Clock.Advance(TimeSpan.FromMinutes(1));
        }

        return [.. (await ToListAsync(Log.ReadEventsAsync())).Select(e => e.Position)];
    }

    public static string Key(string name) => ConsumerNames.Key(Prefix + "/", name);

    /// <summary>Writes <paramref name="name"/>'s state as its owner would; returns the version written.</summary>
    public Task<string> WriteAsync(string name, LogPosition? position, string? owner = null, long epoch = 1, string? newest = null, string? consumer = null)
    {
        var state = new ConsumerState(consumer ?? name, position, newest ?? (position is { } p ? p.Batch : null), new HandledBatches(), Clock.GetUtcNow(), owner, epoch, TimeSpan.FromSeconds(30));
        return Store.PutVersionedAsync(Key(name), state.ToJson(), PutMode.Overwrite, null);
    }

    public async Task<(ConsumerState State, string Version)> ReadAsync(string name)
    {
        VersionedObject stored = await Store.GetVersionedAsync(Key(name));
        return (ConsumerState.Parse(stored.Key, stored.Content), stored.Version);
    }

    public async Task<bool> ExistsAsync(string name)
    {
        try
        {
            await Store.GetVersionedAsync(Key(name));
            return true;
        }
        catch (ObjectNotFoundException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => Log.DisposeAsync();
}
