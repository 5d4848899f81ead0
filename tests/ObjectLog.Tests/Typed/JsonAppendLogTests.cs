using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Typed;

public sealed record Trial(int Id, string Name, double Score);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Trial))]
internal sealed partial class TrialJson : JsonSerializerContext;

public sealed class JsonAppendLogTests
{
    private static AppendLogOptions Options => new() { FlushThreshold = 3, FlushInterval = Timeout.InfiniteTimeSpan };

    [Fact]
    public async Task Values_are_stored_as_one_json_line_each_and_read_back_in_order()
    {
        var store = new InMemoryObjectStore();
        await using var log = new AppendLog(store, "trials", Options);
        var typed = new JsonAppendLog<Trial>(log, TrialJson.Default.Trial);
        await typed.AppendAsync(new Trial(1, "a\nb", 0.5));
        Assert.True(typed.TryAppend(new Trial(2, "ü", 1)));
        await typed.AppendAsync(new Trial(3, "c", 2));
        await typed.AppendAsync(new Trial(4, "d", 3)); // stays buffered: a read sees it too

        Assert.Equal([1, 2, 3, 4], await typed.ReadAsync().Select(t => t.Id).ToListAsync());
        Assert.Equal(new Trial(1, "a\nb", 0.5), await typed.ReadAsync().FirstAsync());
        IReadOnlyList<byte[]> raw = await log.ReadAllAsync();
        Assert.Equal("""{"id":1,"name":"a\nb","score":0.5}""", Encoding.UTF8.GetString(raw[0]));
    }

    [Fact]
    public async Task Read_events_and_tail_yield_each_value_with_its_position()
    {
        var store = new InMemoryObjectStore();
        await using var log = new AppendLog(store, "trials", Options);
        var typed = new JsonAppendLog<Trial>(log, TrialJson.Default.Trial);
        for (int i = 0; i < 5; i++)
        {
            await typed.AppendAsync(new Trial(i, "t", i));
        }

        await log.FlushAsync();
        List<LogEvent> rawEvents = await log.ReadEventsAsync().ToListAsync();
        List<LogEvent<Trial>> events = await typed.ReadEventsAsync().ToListAsync();
        Assert.Equal(rawEvents.Select(e => e.Position), events.Select(e => e.Position));
        Assert.Equal([3, 4], await typed.ReadEventsAsync(events[2].Position).Select(e => e.Value.Id).ToListAsync());

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var tailed = new List<LogEvent<Trial>>();
        await foreach (LogEvent<Trial> e in typed.TailAsync(events[0].Position, cts.Token))
        {
            tailed.Add(e);
            if (tailed.Count == 4)
            {
                break;
            }
        }

        Assert.Equal(events.Skip(1), tailed);
    }

    [Fact]
    public async Task A_line_that_does_not_deserialize_fails_the_read_naming_its_position()
    {
        var store = new InMemoryObjectStore();
        await using var log = new AppendLog(store, "trials", Options);
        var typed = new JsonAppendLog<Trial>(log, TrialJson.Default.Trial);
        await typed.AppendAsync(new Trial(1, "ok", 1));
        await log.AppendAsync("""{"id":"not a number"}"""u8.ToArray());
        await log.FlushAsync();
        LogPosition bad = (await log.ReadEventsAsync().ToListAsync())[1].Position;

        var fromEvents = await Assert.ThrowsAsync<JsonEventException>(async () => await typed.ReadEventsAsync().ToListAsync());
        Assert.Equal(bad, fromEvents.Position);
        Assert.Contains(bad.ToString(), fromEvents.Message, StringComparison.Ordinal);
        var fromRead = await Assert.ThrowsAsync<JsonEventException>(async () => await typed.ReadAsync().ToListAsync());
        Assert.Equal(bad, fromRead.Position);
        Assert.IsType<JsonException>(fromRead.InnerException, exactMatch: false);
    }

    [Fact]
    public async Task A_value_that_cannot_be_serialized_is_refused_and_nothing_is_appended()
    {
        await using var log = new AppendLog(new InMemoryObjectStore(), "trials", Options);
        var typed = new JsonAppendLog<Trial>(log, TrialJson.Default.Trial);
        var e = await Assert.ThrowsAsync<JsonEventException>(async () => await typed.AppendAsync(new Trial(1, "nan", double.NaN)));
        Assert.Null(e.Position);
        Assert.Throws<JsonEventException>(() => typed.TryAppend(new Trial(2, "nan", double.NaN)));
        Assert.Throws<ArgumentNullException>(() => typed.TryAppend(null!));

        await typed.AppendAsync(new Trial(3, "fine", 1)); // the reused writer is not left mid-object
        Assert.Equal([new Trial(3, "fine", 1)], await typed.ReadAsync().ToListAsync());
    }

    [Fact]
    public async Task Concurrent_appends_each_store_their_own_bytes()
    {
        await using var log = new AppendLog(new InMemoryObjectStore(), "trials", new AppendLogOptions { FlushThreshold = 7, MaxBufferedBytes = 4096 });
        var typed = new JsonAppendLog<Trial>(log, TrialJson.Default.Trial);
        await Parallel.ForAsync(0, 2000, async (i, ct) => await typed.AppendAsync(new Trial(i, new string('x', i % 50), i), ct));
        await log.FlushAsync();
        List<Trial> back = await typed.ReadAsync().ToListAsync();
        Assert.Equal(Enumerable.Range(0, 2000), back.Select(t => t.Id).Order());
        Assert.All(back, t => Assert.Equal(new Trial(t.Id, new string('x', t.Id % 50), t.Id), t));
    }

    [Fact]
    public async Task Reflection_based_type_info_is_refused()
    {
        await using var log = new AppendLog(new InMemoryObjectStore(), "trials");
        var reflection = (JsonTypeInfo<Trial>)new DefaultJsonTypeInfoResolver().GetTypeInfo(typeof(Trial), new JsonSerializerOptions());
        Assert.Throws<ArgumentException>(() => new JsonAppendLog<Trial>(log, reflection));
    }
}
