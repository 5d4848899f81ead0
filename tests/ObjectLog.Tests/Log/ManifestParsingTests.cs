using System.Text;
using ObjectLog.Internal;

namespace ObjectLog.Tests.Log;

/// <summary>
/// Manifests whose body is not sound, in any format, and end markers whose body is not: every one is a
/// <see cref="CorruptObjectException"/> naming the object's key and what is wrong, never a
/// <see cref="NullReferenceException"/>, an overflow, or a manifest that passes with a hole.
/// </summary>
public sealed class ManifestParsingTests
{
    internal const string Key = "log/k/the-key";

    internal static string B(int n) => $"batch_{1_764_064_800_000_000L + n:D19}-00000000000000aa-{n:D12}.jsonl";

    internal static string S(int n) => B(n)["batch_".Length..^".jsonl".Length];

    /// <summary>The merged object the manifests below commit: batches 1 to 3.</summary>
    internal static readonly string Data = LogObjectName.Merged(B(1), B(3), 0xabc);

    internal static LogObjectName Name => LogObjectName.TryParse(LogObjectName.ManifestFor(Data), out LogObjectName name) ? name : throw new InvalidOperationException();

    /// <summary>A sound format 2 manifest, with <paramref name="batches"/> and <paramref name="supersedes"/> as given.</summary>
    internal static string V2(string? batches = null, string? supersedes = null, string? data = null)
        => $$"""{"format":"objectlog.manifest/2","data":{{data ?? $"\"{Data}\""}},"batches":{{batches ?? $"[[\"{S(1)}\",1,10,5],[\"{S(2)}\",2,20],[\"{S(3)}\",3,30,4294967295]]"}},"supersedes":{{supersedes ?? """{"batches":[[0,2]],"objects":[]}"""}}}""";

    internal static string E1(string name, long offset, long length, int lines) => $$"""{"name":"{{name}}","offset":{{offset}},"length":{{length}},"lines":{{lines}}}""";

    /// <summary>A sound format 1 manifest, with <paramref name="batches"/> and <paramref name="supersedes"/> as given.</summary>
    internal static string V1(string? batches = null, string? supersedes = null, string? data = null)
        => $$"""{"format":"objectlog.manifest/1","data":{{data ?? $"\"{Data}\""}},"batches":{{batches ?? $"[{E1(B(1), 0, 10, 1)},{E1(B(2), 10, 20, 2)},{E1(B(3), 30, 30, 3)}]"}},"supersedes":{{supersedes ?? $"[\"{B(1)}\",\"{B(2)}\",\"{B(3)}\"]"}}}""";

    /// <summary>The fields of a sound format 3 manifest of batches 1 to 3 (CRCs 5, 6 and 4294967295; batch 2 without a stored time), in order.</summary>
    private static (string Field, string Json)[] V3Fields() =>
    [
        ("format", "\"objectlog.manifest/3\""),
        ("data", $"\"{Data}\""),
        ("count", "3"),
        ("writers", "[\"00000000000000aa\"]"),
        ("writer", "[[0,3]]"),
        ("time", "[1764064800000001,1,1]"),
        ("seq", "[[1,3]]"),
        ("lines", "[1,2,3]"),
        ("length", "[10,20,30]"),
        ("crc", "\"AAAABQAAAAb/////\""),
        ("stored", "[412305,1000]"),
        ("stored_unknown", "[[1,1]]"),
        ("supersedes", """{"batches":[[0,2]],"objects":[]}"""),
    ];

    /// <summary>A sound format 3 manifest, with each field in <paramref name="replace"/> given that JSON instead (or left out, for null).</summary>
    internal static string V3(params (string Field, string? Json)[] replace)
        => "{" + string.Join(",", V3Fields()
            .Select(f => replace.Any(r => r.Field == f.Field) ? (f.Field, replace.First(r => r.Field == f.Field).Json) : (f.Field, (string?)f.Json))
            .Where(f => f.Item2 is not null)
            .Select(f => $"\"{f.Field}\":{f.Item2}")) + "}";

    public static TheoryData<string, string> Unsound()
    {
        string s1 = $"\"{S(1)}\"", s2 = $"\"{S(2)}\"", s3 = $"\"{S(3)}\"";
        return new TheoryData<string, string>
        {
            // not JSON, or not an object
            { "", "JSON" },
            { "not json", "JSON" },
            { "null", "manifest" },
            { "[1,2]", "manifest" },
            { "\"objectlog.manifest/2\"", "manifest" },
            { "5", "manifest" },
            { V2()[..^1], "JSON" },
            { V2()[..(V2().Length / 2)], "JSON" },
            { new string('[', 100_000), "JSON" },
            { """{"format":null}""", "format" },
            { """{"format":2}""", "format" },
            { """{"format":"objectlog.manifest/4"}""", "format" },
            { """{"data":"x"}""", "format" },

            // format 2: nulls, wrong types and missing fields at every level
            { V2(batches: "null"), "batches" },
            { V2(batches: "\"no\""), "batches" },
            { V2(batches: "{}"), "batches" },
            { V2(batches: "[]"), "batches" },
            { V2(batches: "[null]"), "batches" },
            { V2(batches: $"[{s1}]"), "batches" },
            { V2(batches: $"[[{s1},1,10],null,[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[null,1,10],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[1,1,10],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,10,5,6,7],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,10,5,-1],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,10,5,\"6\"],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,10,5,999999999999999999],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},\"1\",10],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},null,10],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,null],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,10,null],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,10,\"5\"],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(data: "null"), "data" },
            { V2(data: "5"), "data" },
            { V2(data: "\"batch_other.jsonl\""), "name" },
            { V2(supersedes: "null"), "supersedes" },
            { V2(supersedes: "[]"), "supersedes" },
            { V2(supersedes: """{"objects":[]}"""), "supersedes" },
            { V2(supersedes: """{"batches":null,"objects":[]}"""), "supersedes" },
            { V2(supersedes: """{"batches":[[0,2]]}"""), "supersedes" },
            { V2(supersedes: """{"batches":[[0,2]],"objects":null}"""), "supersedes" },
            { V2(supersedes: """{"batches":[[0,2]],"objects":[null]}"""), "supersedes" },
            { V2(supersedes: """{"batches":[[0,2]],"objects":[5]}"""), "supersedes" },
            { V2(supersedes: """{"batches":[null],"objects":[]}"""), "supersedes" },
            { V2(supersedes: """{"batches":[[0]],"objects":[]}"""), "supersedes" },
            { V2(supersedes: """{"batches":[[0,1,2]],"objects":[]}"""), "supersedes" },
            { V2(supersedes: """{"batches":[["0",1]],"objects":[]}"""), "supersedes" },

            // format 2: numbers out of range, negative, huge, fractional
            { V2(batches: $"[[{s1},0,10],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},-1,10],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,0],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,-10],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1.5,10],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,1e30],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,99999999999999999999],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},2147483648,9999999999],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},11,10],[{s2},2,20],[{s3},3,30]]"), "batches" }, // more lines than bytes
            { V2(batches: $"[[{s1},1,9223372036854775807],[{s2},2,9223372036854775807],[{s3},3,30]]"), "batches" }, // offsets overflow
            { V2(batches: $"[[{s1},1,10,-1],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,10,4294967296],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,10,1.0e1],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(supersedes: """{"batches":[[0,3]],"objects":[]}"""), "supersedes" },
            { V2(supersedes: """{"batches":[[-1,0]],"objects":[]}"""), "supersedes" },
            { V2(supersedes: """{"batches":[[2,0]],"objects":[]}"""), "supersedes" },
            { V2(supersedes: """{"batches":[[0,2147483648]],"objects":[]}"""), "supersedes" },
            { V2(supersedes: """{"batches":[[0,1e400]],"objects":[]}"""), "supersedes" },

            // format 2: batches that are not the log's, out of order, twice, or a stored key instead of a batch
            { V2(batches: $"[[{s1},1,10],[{s1},1,10],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,10],[{s3},3,30],[{s2},2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,10],[\"{S(2)}.c0000abcd\",2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,10],[\"{S(2)}~{S(2)}~0000000000000abc\",2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,10],[\"0001764064800000002-00000000000000aa-{new string('\u0661', 12)}\",2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,10],[\"9999999999999999999\",2,20],[{s3},3,30]]"), "batches" },
            { V2(batches: $"[[{s1},1,10],[{s2},2,20]]", supersedes: """{"batches":[[0,1]],"objects":[]}"""), "name" },

            // format 3: every field missing, null or of another type
            { V3(("count", null)), "count" },
            { V3(("count", "null")), "count" },
            { V3(("count", "\"3\"")), "count" },
            { V3(("count", "0")), "count" },
            { V3(("count", "-3")), "count" },
            { V3(("count", "3.5")), "count" },
            { V3(("count", "2147483648")), "count" },
            { V3(("count", "4")), "crc" },
            { V3(("count", "2")), "crc" },
            { V3(("count", "1000000"), ("lines", "[[1,1000000]]")), "crc" },
            { V3(("writers", null)), "writers" },
            { V3(("writers", "null")), "writers" },
            { V3(("writers", "[null]")), "writers" },
            { V3(("writers", "[5]")), "writers" },
            { V3(("writers", "[\"00000000000000AA\"]")), "writers" },
            { V3(("writers", "[\"aa\"]")), "writers" },
            { V3(("writers", "[\"00000000000000aa-000000000001\"]")), "writers" },
            { V3(("writers", "[]")), "writer" },
            { V3(("writer", null)), "writer" },
            { V3(("writer", "[[1,3]]")), "writer" },
            { V3(("writer", "[[-1,3]]")), "writer" },
            { V3(("writer", "[0,0]")), "writer" },
            { V3(("writer", "[0,0,0,0]")), "writer" },
            { V3(("writer", "[[0,2147483647],[0,2147483647]]")), "writer" },
            { V3(("writer", "[[0,0],0,0,0]")), "writer" },
            { V3(("writer", "[[0,-1],0,0,0,0]")), "writer" },
            { V3(("writer", "[[0,3,1]]")), "writer" },
            { V3(("writer", "[[0]]")), "writer" },
            { V3(("writer", "[[[0,3],1]]")), "writer" },
            { V3(("writer", "[[0,\"3\"]]")), "writer" },
            { V3(("writer", "[null,0,0]")), "writer" },
            { V3(("time", null)), "time" },
            { V3(("time", "[1764064800000001,1]")), "time" },
            { V3(("time", "[1764064800000001,1,1.5]")), "time" },
            { V3(("time", "[1764064800000001,1,\"1\"]")), "time" },
            { V3(("time", "[1764064800000001,1,9223372036854775807]")), "time" },
            { V3(("time", "[1764064800000001,1,9223372036854775808]")), "time" },
            { V3(("time", "[-1,1764064800000002,1]")), "time" },
            { V3(("time", "[253402300799999999,1,1]")), "time" },
            { V3(("time", "[1764064800000001,1,-1]")), "batches" }, // out of log order
            { V3(("time", "[1764064800000001,0,1]")), "name" },
            { V3(("time", "[1764064800000002,1,1]")), "name" },
            { V3(("seq", null)), "seq" },
            { V3(("seq", "[[1,2]]")), "seq" },
            { V3(("seq", "[1,1,-3]")), "seq" },
            { V3(("seq", "[1,1,-1]")), "name" },
            { V3(("time", "[1764064800000001,0,2]"), ("seq", "[1,0,2]")), "batches" }, // a batch twice
            { V3(("seq", "[1,1,999999999999]")), "seq" },
            { V3(("seq", "[1,1,-9223372036854775808]")), "seq" },
            { V3(("lines", null)), "lines" },
            { V3(("lines", "[1,2,0]")), "lines" },
            { V3(("lines", "[1,2,-3]")), "lines" },
            { V3(("lines", "[1,2,2147483648]")), "lines" },
            { V3(("lines", "[1,2,31]")), "lines" }, // more lines than bytes
            { V3(("length", null)), "length" },
            { V3(("length", "[10,20,0]")), "length" },
            { V3(("length", "[10,20,-30]")), "length" },
            { V3(("length", "[10,20]")), "length" },
            { V3(("length", "[10,9223372036854775807,30]")), "batches" }, // offsets overflow
            { V3(("crc", null)), "crc" },
            { V3(("crc", "null")), "crc" },
            { V3(("crc", "[5,6,7]")), "crc" },
            { V3(("crc", "\"AAAABQAAAAb/////AAAA\"")), "crc" },
            { V3(("crc", "\"AAAABQAAAAb////\"")), "crc" },
            { V3(("crc", "\"AAAABQAAAAb////*\"")), "crc" },
            { V3(("crc", "\"AAAABQAA AAb////\"")), "crc" },
            { V3(("crc", "\"AAAABQAAAAb/////\\n\"")), "crc" },
            { V3(("stored", null)), "stored" },
            { V3(("stored", "[412305]")), "stored" },
            { V3(("stored", "[412305,1000,1]")), "stored" },
            { V3(("stored", "[412305,null]")), "stored" },
            { V3(("stored", "[-1764064800000002,1000]")), "stored" },
            { V3(("stored", "[412305,253402300799999999]")), "stored" },
            { V3(("stored_unknown", null)), "stored_unknown" },
            { V3(("stored_unknown", "null")), "stored_unknown" },
            { V3(("stored_unknown", "[[1,3]]")), "stored_unknown" },
            { V3(("stored_unknown", "[[1,1],[1,1]]")), "stored_unknown" },
            { V3(("stored_unknown", "[[1]]")), "stored_unknown" },
            { V3(("stored_unknown", "[]")), "stored" },
            { V3(("data", "null")), "data" },
            { V3(("data", "\"batch_other.jsonl\"")), "name" },
            { V3(("supersedes", null)), "supersedes" },
            { V3(("supersedes", """{"batches":[[0,3]],"objects":[]}""")), "supersedes" },
            { V3(("supersedes", """{"batches":[[0,2]],"objects":[null]}""")), "supersedes" },

            // format 1: the same, and offsets that overlap, leave gaps or go negative
            { V1(batches: "null"), "batches" },
            { V1(batches: "{}"), "batches" },
            { V1(batches: "[]"), "batches" },
            { V1(batches: "[null]"), "batches" },
            { V1(batches: $"[{E1(B(1), 0, 10, 1)},null,{E1(B(3), 30, 30, 3)}]"), "batches" },
            { V1(batches: $"[{E1(B(1), 0, 10, 1)},[1,2],{E1(B(3), 30, 30, 3)}]"), "batches" },
            { V1(batches: $$"""[{"offset":0,"length":10,"lines":1},{{E1(B(2), 10, 20, 2)}},{{E1(B(3), 30, 30, 3)}}]"""), "batches" },
            { V1(batches: $$"""[{"name":null,"offset":0,"length":10,"lines":1},{{E1(B(2), 10, 20, 2)}},{{E1(B(3), 30, 30, 3)}}]"""), "batches" },
            { V1(batches: $$"""[{"name":"{{B(1)}}","offset":null,"length":10,"lines":1},{{E1(B(2), 10, 20, 2)}},{{E1(B(3), 30, 30, 3)}}]"""), "batches" },
            { V1(batches: $$"""[{"name":"{{B(1)}}","offset":0,"lines":1},{{E1(B(2), 10, 20, 2)}},{{E1(B(3), 30, 30, 3)}}]"""), "batches" },
            { V1(batches: $$"""[{"name":"{{B(1)}}","offset":0,"length":"10","lines":1},{{E1(B(2), 10, 20, 2)}},{{E1(B(3), 30, 30, 3)}}]"""), "batches" },
            { V1(batches: $$"""[{"name":"{{B(1)}}","offset":0,"length":10,"lines":true},{{E1(B(2), 10, 20, 2)}},{{E1(B(3), 30, 30, 3)}}]"""), "batches" },
            { V1(batches: $"[{E1(B(1), -10, 10, 1)},{E1(B(2), 0, 20, 2)},{E1(B(3), 20, 30, 3)}]"), "batches" },
            { V1(batches: $"[{E1(B(1), 0, 10, 1)},{E1(B(2), 5, 20, 2)},{E1(B(3), 30, 30, 3)}]"), "batches" },
            { V1(batches: $"[{E1(B(1), 0, 10, 1)},{E1(B(2), 15, 20, 2)},{E1(B(3), 35, 30, 3)}]"), "batches" },
            { V1(batches: $"[{E1(B(1), 5, 10, 1)},{E1(B(2), 15, 20, 2)},{E1(B(3), 35, 30, 3)}]"), "batches" },
            { V1(batches: $"[{E1(B(1), 0, long.MaxValue, 1)},{E1(B(2), long.MinValue + 0, 20, 2)},{E1(B(3), 30, 30, 3)}]"), "batches" },
            { V1(batches: $"[{E1(B(1), 0, 10, 1)},{E1(B(2), 10, -20, 2)},{E1(B(3), -10, 30, 3)}]"), "batches" },
            { V1(batches: $"[{E1(B(1), 0, 10, 11)},{E1(B(2), 10, 20, 2)},{E1(B(3), 30, 30, 3)}]"), "batches" },
            { V1(batches: $"[{E1(B(1), 0, 10, 1)},{E1("batch_9999999999999999999.jsonl", 10, 20, 2)},{E1(B(3), 30, 30, 3)}]"), "batches" },
            { V1(batches: $"[{E1(B(1), 0, 10, 1)},{E1(LogObjectName.WithCrc(B(2), 7), 10, 20, 2)},{E1(B(3), 30, 30, 3)}]"), "batches" },
            { V1(supersedes: "null"), "supersedes" },
            { V1(supersedes: "{}"), "supersedes" },
            { V1(supersedes: "[null]"), "supersedes" },
            { V1(supersedes: "[5]"), "supersedes" },
            { V1(data: "null"), "data" },
            { V1(data: "[]"), "data" },
            { V1(data: "\"x\""), "name" },
            { """{"format":"objectlog.manifest/1","data":"x"}""", "batches" },
        };
    }

    [Theory]
    [MemberData(nameof(Unsound))]
    public void An_unsound_manifest_is_a_CorruptObjectException_naming_its_key_and_what_is_wrong(string json, string what)
    {
        Exception? thrown = Record.Exception(() => Manifest.Parse(Encoding.UTF8.GetBytes(json), Key, Name));
        CorruptObjectException e = Assert.IsType<CorruptObjectException>(thrown);
        Assert.Equal(Key, e.Key);
        Assert.Contains($"'{Key}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sound_manifests_these_are_made_from_parse_in_every_format()
    {
        foreach (string json in new[] { V3(), V2(), V1() })
        {
            Manifest m = Manifest.Parse(Encoding.UTF8.GetBytes(json), Key, Name);
            Assert.Equal(Data, m.Data);
            Assert.Equal([B(1), B(2), B(3)], m.Batches.Select(b => b.Name));
            Assert.Equal([0L, 10L, 30L], m.Batches.Select(b => b.Offset));
            Assert.Equal([10L, 20L, 30L], m.Batches.Select(b => b.Length));
            Assert.Equal([1, 2, 3], m.Batches.Select(b => b.Lines));
            Assert.Equal([B(1), B(2), B(3)], m.Supersedes);
        }

        Assert.Equal([5u, null, uint.MaxValue], Manifest.Parse(Encoding.UTF8.GetBytes(V2()), Key, Name).Batches.Select(b => b.Crc));
        Manifest v3 = Manifest.Parse(Encoding.UTF8.GetBytes(V3()), Key, Name);
        Assert.Equal([5u, 6u, uint.MaxValue], v3.Batches.Select(b => b.Crc));
        Assert.Equal([DateTimeOffset.FromUnixTimeMilliseconds(1_764_064_800_412).AddTicks(3060), null, DateTimeOffset.FromUnixTimeMilliseconds(1_764_064_800_413).AddTicks(3060)], v3.Batches.Select(b => b.Stored));
    }

    [Fact]
    public void Invalid_UTF8_is_a_CorruptObjectException_too()
    {
        byte[] json = Encoding.UTF8.GetBytes(V2());
        json[json.Length / 2] = 0xff;
        CorruptObjectException e = Assert.Throws<CorruptObjectException>(() => Manifest.Parse(json, Key, Name));
        Assert.Equal(Key, e.Key);
        Assert.Throws<CorruptObjectException>(() => Manifest.Parse([0xef, 0xbb, 0xbf, 0xff, 0xfe], Key, Name));
    }

    internal static LogObjectName MarkerName => LogObjectName.TryParse(LogObjectName.EndMarkerFor(Data), out LogObjectName name) ? name : throw new InvalidOperationException();

    public static TheoryData<string, string> UnsoundMarkers() => new()
    {
        { "", "JSON" },
        { "{", "JSON" },
        { "null", "end marker" },
        { "[]", "end marker" },
        { "\"objectlog.end/1\"", "end marker" },
        { "{}", "format" },
        { """{"format":null,"data":"x"}""", "format" },
        { """{"format":1,"data":"x"}""", "format" },
        { $$"""{"format":"objectlog.end/2","data":"{{Data}}"}""", "format" },
        { """{"format":"objectlog.end/1"}""", "data" },
        { """{"format":"objectlog.end/1","data":null}""", "data" },
        { """{"format":"objectlog.end/1","data":["x"]}""", "data" },
        { """{"format":"objectlog.end/1","data":"batch_0001764064800000001.jsonl"}""", "name" },
        { Encoding.UTF8.GetString(EndMarker.Serialize(Data))[..^2], "JSON" },
    };

    [Theory]
    [MemberData(nameof(UnsoundMarkers))]
    public void An_unsound_end_marker_is_a_CorruptObjectException_naming_its_key_and_what_is_wrong(string body, string what)
    {
        Exception? thrown = Record.Exception(() => EndMarker.Parse(Encoding.UTF8.GetBytes(body), Key, MarkerName));
        CorruptObjectException e = Assert.IsType<CorruptObjectException>(thrown);
        Assert.Equal(Key, e.Key);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_end_marker_as_written_parses_back_to_its_merged_object()
    {
        Assert.Equal(Data, EndMarker.Parse(EndMarker.Serialize(Data), Key, MarkerName));
        string checksummed = LogObjectName.WithCrc(Data, 0xfeed);
        Assert.True(LogObjectName.TryParse(LogObjectName.EndMarkerFor(checksummed), out LogObjectName name));
        Assert.Equal(checksummed, EndMarker.Parse(EndMarker.Serialize(checksummed), Key, name));
    }
}
