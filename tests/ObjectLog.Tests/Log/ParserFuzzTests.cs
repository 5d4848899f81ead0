using System.Globalization;
using System.Text;
using CsCheck;
using ObjectLog.Internal;

namespace ObjectLog.Tests.Log;

/// <summary>
/// Fuzz tests of everything that parses what a store lists or holds, or what a user types: object names (and all
/// that reads a number or a time out of an accepted one), positions, manifest and end marker bodies. Names and
/// positions never throw where a <c>Try</c> method is asked, and <see cref="LogPosition.Parse"/> throws only
/// <see cref="FormatException"/>; bodies either parse into something sound or throw a
/// <see cref="CorruptObjectException"/> naming their key, nothing else.
/// </summary>
/// <remarks>
/// Each property runs briefly in the normal suite, and again for <c>OBJECTLOG_FUZZ_ITERATIONS</c> iterations in
/// the opt-in <c>Category=Fuzz</c> tests (skipped without it); see tests/ObjectLog.Tests/README.md. A failure
/// prints the shrunk input and a seed; <c>CsCheck_Seed=SEED</c> replays it.
/// </remarks>
public sealed class ParserFuzzTests
{
    private const string LongRunSkipped = "A long fuzz run: set OBJECTLOG_FUZZ_ITERATIONS to run it (tests/ObjectLog.Tests/README.md).";

    /// <summary>Iterations of each long run; 0 (skipped) unless OBJECTLOG_FUZZ_ITERATIONS is set.</summary>
    private static readonly long LongRun = long.TryParse(Environment.GetEnvironmentVariable("OBJECTLOG_FUZZ_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : 0;

    [Fact]
    public void Names_never_throw_and_what_an_accepted_name_holds_always_reads() => AnyName.Sample(CheckName, iter: 10_000);

    [Fact]
    public void Positions_parse_or_are_a_FormatException() => AnyPosition.Sample(CheckPosition, iter: 10_000);

    [Fact]
    public void Manifest_bodies_parse_sound_or_are_a_CorruptObjectException_naming_their_key() => AnyManifest.Sample(CheckManifest, iter: 3_000, print: Print);

    [Fact]
    public void End_marker_bodies_parse_or_are_a_CorruptObjectException_naming_their_key() => AnyMarker.Sample(CheckMarker, iter: 3_000, print: Print);

    [SkippableFact]
    [Trait("Category", "Fuzz")]
    public void Long_run_names()
    {
        Skip.If(LongRun <= 0, LongRunSkipped);
        AnyName.Sample(CheckName, iter: LongRun);
    }

    [SkippableFact]
    [Trait("Category", "Fuzz")]
    public void Long_run_positions()
    {
        Skip.If(LongRun <= 0, LongRunSkipped);
        AnyPosition.Sample(CheckPosition, iter: LongRun);
    }

    [SkippableFact]
    [Trait("Category", "Fuzz")]
    public void Long_run_manifest_bodies()
    {
        Skip.If(LongRun <= 0, LongRunSkipped);
        AnyManifest.Sample(CheckManifest, iter: LongRun, print: Print);
    }

    [SkippableFact]
    [Trait("Category", "Fuzz")]
    public void Long_run_end_marker_bodies()
    {
        Skip.If(LongRun <= 0, LongRunSkipped);
        AnyMarker.Sample(CheckMarker, iter: LongRun, print: Print);
    }

    // ---- Names -------------------------------------------------------------------------------------------------

    /// <summary>Digits of other scripts: Arabic-Indic, extended Arabic-Indic, NKo, Devanagari, Bengali, Tamil, Thai, Myanmar, Khmer, Mongolian, Vai, fullwidth.</summary>
    private const string NonAsciiDigits = "\u0660\u0661\u0665\u0669\u06F0\u06F1\u06F9\u07C0\u0966\u096F\u09E6\u0BE7\u0E50\u0E51\u1040\u17E0\u1810\uA620\uFF10\uFF11\uFF19";

    private static readonly Gen<char> AnyChar = Gen.Frequency(
        (8, Gen.Char["0123456789"]),
        (4, Gen.Char["abcdef"]),
        (4, Gen.Char["_-~.:/\\ \n\r\t\0ABCFXcjsonlmiftrhbe"]),
        (4, Gen.Char[NonAsciiDigits]),
        (2, Gen.Char['\u0080', '\uFFFF']), // lone surrogates included
        (1, Gen.Char['\0', '\u007F']));

    private static readonly Gen<long> Micros = Gen.Frequency(
        (4, Gen.Long[0, LogObjectName.MaxMicroseconds]),
        (4, Gen.Long[1_500_000_000_000_000, 2_100_000_000_000_000]),
        (1, Gen.OneOfConst(0L, 1L, LogObjectName.MaxMicroseconds - 1, LogObjectName.MaxMicroseconds)));

    private static readonly Gen<string> BatchName = Gen.Frequency(
        (5, Gen.Select(Micros, Gen.ULong, Gen.Long[0, 999_999_999_999], LogObjectName.Batch)),
        (1, Micros.Select(t => string.Create(CultureInfo.InvariantCulture, $"batch_{t:D19}.jsonl"))));

    private static readonly Gen<string> MergedName = Gen.Select(BatchName, BatchName, Gen.ULong, (a, b, id)
        => string.CompareOrdinal(a, b) <= 0 ? LogObjectName.Merged(a, b, id) : LogObjectName.Merged(b, a, id));

    private static string MaybeCrc(string data, bool crc, uint value) => crc ? LogObjectName.WithCrc(data, value) : data;

    /// <summary>Names the log writes: batches, merged data, manifests, end markers, trim records; with and without checksums.</summary>
    private static readonly Gen<string> ValidName = Gen.Frequency(
        (4, Gen.Select(BatchName, Gen.Bool, Gen.UInt, MaybeCrc)),
        (2, Gen.Select(MergedName, Gen.Bool, Gen.UInt, MaybeCrc)),
        (1, Gen.Select(MergedName, Gen.Bool, Gen.UInt, (m, c, v) => LogObjectName.ManifestFor(MaybeCrc(m, c, v)))),
        (1, Gen.Select(MergedName, Gen.Bool, Gen.UInt, (m, c, v) => LogObjectName.EndMarkerFor(MaybeCrc(m, c, v)))),
        (1, Gen.Select(Micros, Gen.ULong, LogObjectName.Trim)));

    /// <summary>What to put where a name's 19 digits go: times past 9999 or past <see cref="long.MaxValue"/>, the bounds, other scripts' digits.</summary>
    private static readonly Gen<string> OddTime = Gen.OneOf(
        Gen.OneOfConst("9999999999999999999", "9223372036854775807", "9223372036854775808", "2600000000000000000", "0253402300800000000", "0253402300799999999", "1000000000000000000", "0000000000000000000"),
        Gen.Long[LogObjectName.MaxMicroseconds + 1, long.MaxValue].Select(t => t.ToString("D19", CultureInfo.InvariantCulture)),
        Gen.Char[NonAsciiDigits].Array[19, 19].Select(c => new string(c)),
        Gen.Select(Gen.Long[0, LogObjectName.MaxMicroseconds], Gen.Int[0, 18], Gen.Char[NonAsciiDigits], (t, i, c) =>
        {
            char[] digits = t.ToString("D19", CultureInfo.InvariantCulture).ToCharArray();
            digits[i] = c;
            return new string(digits);
        }));

    /// <summary>One change to a text: replace, insert or delete a character, cut, insert a piece, overwrite a run of 19 digits, append, repeat a piece.</summary>
    private readonly record struct Edit(int Kind, int At, char Char, string Text);

    private static readonly Gen<Edit> AnyEdit = Gen.Select(
        Gen.Int[0, 7],
        Gen.Int[0, 10_000],
        AnyChar,
        Gen.OneOf(OddTime, AnyChar.Array[0, 6].Select(c => new string(c)), Gen.OneOfConst(".jsonl", ".json", ".manifest.json", ".end.json", "~", "-", ".c", "batch_", "trim_", "\n", ":", "/", "0000000000000000")),
        (kind, at, c, text) => new Edit(kind, at, c, text));

    private static string Apply(string text, Edit edit)
    {
        int at = edit.At % (text.Length + 1);
        return edit.Kind switch
        {
            0 when at < text.Length => string.Concat(text.AsSpan(0, at), edit.Char.ToString(), text.AsSpan(at + 1)),
            0 or 1 => text.Insert(at, edit.Char.ToString()),
            2 when at < text.Length => text.Remove(at, 1),
            2 or 3 => text[..at],
            4 => text.Insert(at, edit.Text),
            5 => OverwriteDigits(text, edit.At, edit.Text),
            6 => text + edit.Text,
            _ => text.Insert(at, text[..Math.Min(at, 20)]),
        };
    }

    /// <summary>Overwrites one of the runs of 19 ASCII digits in <paramref name="text"/> (picked by <paramref name="pick"/>) with <paramref name="digits"/>.</summary>
    private static string OverwriteDigits(string text, int pick, string digits)
    {
        var runs = new List<int>();
        for (int i = 0, run = 0; i < text.Length; i++)
        {
            run = char.IsAsciiDigit(text[i]) ? run + 1 : 0;
            if (run == 19)
            {
                runs.Add(i - 18);
            }
        }

        if (runs.Count == 0)
        {
            return text + digits;
        }

        int start = runs[pick % runs.Count];
        return string.Concat(text.AsSpan(0, start), digits, text.AsSpan(start + 19));
    }

    private static readonly Gen<string> NearValidName = Gen.Select(ValidName, AnyEdit.Array[1, 3], (name, edits) => edits.Aggregate(name, Apply));

    private static readonly Gen<string> RandomName = Gen.OneOf(
        AnyChar.Array[0, 90].Select(c => new string(c)),
        Gen.Select(Gen.OneOfConst("batch_", "trim_"), AnyChar.Array[0, 90], (start, c) => start + new string(c)),
        Gen.String[0, 60]);

    private static readonly Gen<string> AnyName = Gen.Frequency((3, ValidName), (6, NearValidName), (2, RandomName));

    private static void CheckName(string name)
    {
        bool isLogs = LogObjectName.TryParse(name, out LogObjectName parsed);
        bool isBatch = isLogs && parsed.Kind == LogObjectKind.Batch;
        Assert.Equal(isBatch, LogObjectName.WhyNotABatch(name) is null);
        CheckPosition(name + ":0", isBatch);
        CheckPosition(name + ":2147483647", isBatch);
        if (!isLogs)
        {
            return;
        }

        Assert.True(name.All(char.IsAscii), "an accepted name is ASCII");
        Assert.True(string.CompareOrdinal(parsed.First, parsed.Last) <= 0);
        DateTimeOffset first = LogObjectName.TimeOf(parsed.First), last = LogObjectName.TimeOf(parsed.Last);
        Assert.True(first <= last);
        Assert.True(string.CompareOrdinal(LogObjectName.FloorAt(first), parsed.First) <= 0);
        Assert.True(string.CompareOrdinal(LogObjectName.FloorAt(last), parsed.Last) <= 0);
        switch (parsed.Kind)
        {
            case LogObjectKind.Batch:
                Assert.Equal(parsed.First, parsed.Last);
                Assert.Equal(name, parsed.DataName);
                Assert.Equal(parsed.Crc, LogObjectName.CrcOfData(name));
                Assert.True(LogObjectName.TryParse(parsed.First, out LogObjectName identity));
                Assert.Equal((LogObjectKind.Batch, parsed.First, (uint?)null), (identity.Kind, identity.First, identity.Crc));
                var position = new LogPosition(name, 3);
                Assert.Equal(parsed.First, position.Batch);
                Assert.Equal(first, position.BatchTime);
                Assert.Equal(position, LogPosition.Parse(position.ToString()));
                if (LogObjectName.Microseconds(first) >= 1)
                {
                    Assert.True(LogPosition.Before(first) < position);
                }

                if (parsed.Crc is null)
                {
                    Assert.True(LogObjectName.TryParse(LogObjectName.WithCrc(name, 0xabcdef01), out LogObjectName stored));
                    Assert.Equal((LogObjectKind.Batch, parsed.First, (uint?)0xabcdef01), (stored.Kind, stored.First, stored.Crc));
                }

                break;
            case LogObjectKind.Merged:
                Assert.Equal(name, parsed.DataName);
                Assert.Equal(parsed.Crc, LogObjectName.CrcOfData(name));
                AssertSame(LogObjectName.ManifestFor(name), LogObjectKind.Manifest, parsed);
                AssertSame(LogObjectName.EndMarkerFor(name), LogObjectKind.EndMarker, parsed);
                break;
            case LogObjectKind.Manifest:
                AssertSame(parsed.DataName, LogObjectKind.Merged, parsed);
                Assert.Equal(name, LogObjectName.ManifestFor(parsed.DataName));
                break;
            case LogObjectKind.EndMarker:
                AssertSame(parsed.DataName, LogObjectKind.Merged, parsed);
                Assert.Equal(name, LogObjectName.EndMarkerFor(parsed.DataName));
                break;
            default:
                Assert.Equal(LogObjectKind.Trim, parsed.Kind);
                Assert.Equal(parsed.First, parsed.Last);
                Assert.Equal(LogObjectName.FloorAt(first), parsed.First);
                break;
        }
    }

    private static void AssertSame(string name, LogObjectKind kind, LogObjectName like)
    {
        Assert.True(LogObjectName.TryParse(name, out LogObjectName parsed), name);
        Assert.Equal((kind, like.First, like.Last, like.DataName, like.Crc), (parsed.Kind, parsed.First, parsed.Last, parsed.DataName, parsed.Crc));
    }

    // ---- Positions ---------------------------------------------------------------------------------------------

    private static readonly Gen<string> LineText = Gen.OneOf(
        Gen.Int[0, int.MaxValue].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.OneOfConst("", "-1", "-0", "+1", "2147483648", "99999999999999999999", "0x10", " 1", "1 ", "1\n", "\u0661", "\uFF11", "1.0", "1e3", "00000000000000000001"),
        AnyChar.Array[0, 12].Select(c => new string(c)));

    private static readonly Gen<string> AnyPosition = Gen.Frequency(
        (4, Gen.Select(AnyName, LineText, (name, line) => name + ":" + line)),
        (2, Gen.Select(ValidName, Gen.Int[0, int.MaxValue], AnyEdit.Array[1, 3], (name, line, edits) => edits.Aggregate(string.Create(CultureInfo.InvariantCulture, $"{name}:{line}"), Apply))),
        (1, AnyChar.Array[0, 80].Select(c => new string(c))),
        (1, Gen.String[0, 80]));

    private static void CheckPosition(string text) => CheckPosition(text, null);

    private static void CheckPosition(string text, bool? expected)
    {
        bool ok = LogPosition.TryParse(text, out LogPosition position);
        if (expected is { } e)
        {
            Assert.Equal(e, ok);
        }

        Assert.Equal(ok, LogPosition.WhyNot(text) is null);
        if (ok)
        {
            Assert.Equal(position, LogPosition.Parse(text));
            Assert.Equal(position, LogPosition.Parse(position.ToString()));
            Assert.True(string.CompareOrdinal(LogObjectName.FloorAt(position.BatchTime), position.Batch) < 0);
        }
        else
        {
            FormatException thrown = Assert.Throws<FormatException>(() => LogPosition.Parse(text)); // exactly FormatException
            Assert.Contains(text, thrown.Message, StringComparison.Ordinal);
        }
    }

    // ---- Manifest and end marker bodies ------------------------------------------------------------------------

    private const string KeyPrefix = "fuzz/";

    /// <summary>A JSON value of every kind, mostly the ones a parser trips on: nulls, huge, negative and fractional numbers, odd strings.</summary>
    private static readonly Gen<string> JsonLeaf = Gen.OneOf(
        Gen.OneOfConst("null", "true", "false", "[]", "{}", "0", "-0", "1", "-1", "1.5", "1e3", "1E400", "-1e400", "2147483647", "2147483648", "-2147483649",
            "4294967295", "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
            "99999999999999999999999999", "0.0000001", "\"\"", "\"x\"", "\"objectlog.manifest/1\"", "\"objectlog.manifest/2\"", "\"objectlog.manifest/3\"", "\"objectlog.end/1\"", "\"AAAAAA==\"",
            "\"\\u0000\"", "\"\\ud800\"", "\"\\n\"", "\"batch_\"", "\".jsonl\""),
        Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture)),
        Gen.Int[-3, 40].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        ValidName.Select(n => Quote(n)),
        OddTime.Select(t => Quote(t)),
        Gen.Select(BatchName, Gen.Bool, (b, whole) => Quote(whole ? b : b["batch_".Length..^".jsonl".Length])));

    private static readonly Gen<string> JsonValue1 = Gen.Frequency(
        (6, JsonLeaf),
        (1, JsonLeaf.Array[0, 5].Select(a => "[" + string.Join(",", a) + "]")),
        (1, Gen.Select(Gen.OneOfConst("format", "data", "batches", "supersedes", "objects", "name", "offset", "length", "lines", "count", "writers", "time", "seq", "crc", "stored", "stored_unknown", "x"), JsonLeaf).Array[0, 4]
            .Select(kv => "{" + string.Join(",", kv.Select(p => $"\"{p.Item1}\":{p.Item2}")) + "}")));

    /// <summary>What replaces a sound value: often null or a value of another type, else any value.</summary>
    private static readonly Gen<string> AnyJson = Gen.Frequency(
        (3, Gen.Const("null")),
        (3, Gen.OneOfConst("true", "0", "-1", "\"x\"", "[]", "{}", "[null]", "9223372036854775808", "1.5")),
        (6, JsonValue1),
        (1, JsonValue1.Array[0, 4].Select(a => "[" + string.Join(",", a) + "]")));

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>Decides, slot by slot, what goes into a body: the sound value, another JSON value, or nothing (the field or element left out).</summary>
    private sealed class Slots(int percent, (int Roll, string Json)[] rolls)
    {
        private int _next;

        public string? Fill(string sound)
        {
            (int roll, string json) = rolls[_next++ % rolls.Length];
            return roll >= 2 * percent ? sound : roll >= percent ? json : null;
        }

        public string Object(params (string Name, string Sound)[] fields)
            => "{" + string.Join(",", fields.Select(f => (f.Name, Value: Fill(f.Sound))).Where(f => f.Value is not null).Select(f => $"\"{f.Name}\":{f.Value}")) + "}";

        public string Array(IEnumerable<string> elements) => "[" + string.Join(",", elements.Select(Fill).OfType<string>()) + "]";
    }

    /// <summary>What happens to a body's bytes after it is written: nothing, cut short, a byte changed, bytes inserted, or random bytes instead.</summary>
    private readonly record struct ByteDamage(int Kind, int At, byte Value, byte[] Bytes);

    private static readonly Gen<ByteDamage> AnyDamage = Gen.Select(Gen.Int[0, 9], Gen.Int[0, 100_000], Gen.Byte, Gen.Byte.Array[0, 200], (k, at, v, b) => new ByteDamage(k, at, v, b));

    private static byte[] Damage(byte[] body, ByteDamage damage)
    {
        int at = damage.At % (body.Length + 1);
        switch (damage.Kind)
        {
            case 0:
                return body[..at];
            case 1 when at < body.Length:
                byte[] changed = (byte[])body.Clone();
                changed[at] = damage.Value;
                return changed;
            case 2:
                return [.. body.AsSpan(0, at), .. damage.Bytes.AsSpan(0, Math.Min(4, damage.Bytes.Length)), .. body.AsSpan(at)];
            case 3:
                return damage.Bytes;
            default:
                return body;
        }
    }

    /// <summary>A manifest body, the key it is stored under, its parsed name, and whether it was left sound.</summary>
    private sealed record ManifestCase(byte[] Body, string Key, LogObjectName Name, bool Sound, string Json);

    /// <summary>A merged object's batches: strictly later times (so names in log order whatever the writers), lines, extra bytes, checksums.</summary>
    private static readonly Gen<(long Time, ulong Writer, int Lines, int Extra, bool HasCrc, uint Crc)[]> AnyBatches = Gen.Select(
        Gen.Select(Gen.Long[1, 1_000_000], Gen.Int[0, 3], Gen.Int[0, 60], Gen.Bool, Gen.UInt, Gen.ULong).Array[1, 6],
        Micros,
        (entries, start) =>
        {
            long time = Math.Min(start, LogObjectName.MaxMicroseconds - 7_000_000);
            return entries.Select(e => (time += e.Item1, e.Item6 % 4, 1 + e.Item2, e.Item3, e.Item4, e.Item5)).ToArray();
        });

    private static readonly Gen<ManifestCase> AnyManifest = Gen.Select(
        AnyBatches,
        Gen.Select(Gen.Int[1, 3], Gen.ULong, Gen.Bool, Gen.UInt, Gen.Int[0, 100], Gen.Int[0, 100]),
        Gen.Select(Gen.Int[0, 4], Gen.Select(Gen.Int[0, 99], AnyJson).Array[64, 64]),
        Gen.Select(AnyDamage, Gen.Int[0, 3]),
        MergedName.Array[0, 3],
        (batches, shape, mutation, damage, objects) =>
        {
            (int format, ulong id, bool dataCrc, uint crc, int supersedeFrom, int supersedeLength) = shape;
            // Writer 3 stands for the original design's names, without writer or sequence.
            string[] names = [.. batches.Select((b, i) => b.Writer == 3 ? string.Create(CultureInfo.InvariantCulture, $"batch_{b.Time:D19}.jsonl") : LogObjectName.Batch(b.Time, b.Writer, i + 1))];
            string data = MaybeCrc(LogObjectName.Merged(names[0], names[^1], id), dataCrc, crc);
            LogObjectName.TryParse(LogObjectName.ManifestFor(data), out LogObjectName name);
            var slots = new Slots(mutation.Item1, mutation.Item2);
            string json;
            if (format == 1)
            {
                long offset = 0;
                string Entry(int i)
                {
                    var b = batches[i];
                    long length = b.Lines + b.Extra;
                    string entry = slots.Object(("name", Quote(names[i])), ("offset", Num(offset)), ("length", Num(length)), ("lines", Num(b.Lines)));
                    offset += length;
                    return entry;
                }

                json = slots.Object(
                    ("format", "\"objectlog.manifest/1\""),
                    ("data", Quote(data)),
                    ("batches", slots.Array(Enumerable.Range(0, names.Length).Select(Entry).ToList())),
                    ("supersedes", slots.Array(names.Concat(objects).Select(Quote).ToList())));
            }
            else if (format == 3)
            {
                // As the writer writes it, then each field, and each element of an array, kept, replaced or left out.
                var held = new List<ManifestBatch>();
                long offset = 0;
                for (int i = 0; i < names.Length; i++)
                {
                    var b = batches[i];
                    DateTimeOffset? stored = b.HasCrc ? DateTimeOffset.UnixEpoch.AddTicks(Math.Max(0, b.Time + (b.Crc % 4_000_000) - 2_000_000) * 10) : null;
                    held.Add(new ManifestBatch { Name = names[i], Lines = b.Lines, Length = b.Lines + b.Extra, Offset = offset, Crc = b.Crc, Stored = stored });
                    offset += b.Lines + b.Extra;
                }

                var manifest = new Manifest { Data = data, Batches = held, Supersedes = [.. names.Skip(supersedeFrom % names.Length).Take(1 + (supersedeLength % names.Length)), .. objects] };
                using var written = System.Text.Json.JsonDocument.Parse(manifest.Serialize());
                json = slots.Object([.. written.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.ValueKind == System.Text.Json.JsonValueKind.Array
                    ? slots.Array(p.Value.EnumerateArray().Select(e => e.GetRawText()).ToList())
                    : p.Value.GetRawText()))]);
            }
            else
            {
                int from = supersedeFrom % names.Length, to = Math.Min(names.Length - 1, from + (supersedeLength % names.Length));
                json = slots.Object(
                    ("format", "\"objectlog.manifest/2\""),
                    ("data", Quote(data)),
                    ("batches", slots.Array(batches.Select((b, i) => slots.Array(new[] { Quote(names[i]["batch_".Length..^".jsonl".Length]), Num(b.Lines), Num(b.Lines + b.Extra) }
                        .Concat(b.HasCrc ? new[] { Num(b.Crc) } : Enumerable.Empty<string>()).ToList())).ToList())),
                    ("supersedes", slots.Object(("batches", slots.Array([slots.Array([Num(from), Num(to)])])), ("objects", slots.Array(objects.Select(Quote).ToList())))));
            }

            byte[] body = Encoding.UTF8.GetBytes(json);
            bool damaged = damage.Item2 == 0;
            return new ManifestCase(damaged ? Damage(body, damage.Item1) : body, KeyPrefix + LogObjectName.ManifestFor(data), name, mutation.Item1 == 0 && !damaged, json);
        });

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Print(ManifestCase c) => $"{c.Key} ({(c.Sound ? "sound" : "changed")}): {Encoding.UTF8.GetString(c.Body)}";

    private static void CheckManifest(ManifestCase c)
    {
        Manifest manifest;
        try
        {
            manifest = Manifest.Parse(c.Body, c.Key, c.Name);
        }
        catch (CorruptObjectException e)
        {
            Assert.False(c.Sound, $"a sound manifest was refused: {e.Message}");
            Assert.Equal(c.Key, e.Key);
            Assert.Contains($"'{c.Key}'", e.Message, StringComparison.Ordinal);
            return;
        }

        // Whatever parsed is sound.
        Assert.Equal(c.Name.DataName, manifest.Data);
        Assert.NotEmpty(manifest.Batches);
        Assert.Equal(c.Name.First, manifest.Batches[0].Name);
        Assert.Equal(c.Name.Last, manifest.Batches[^1].Name);
        long offset = 0;
        string? previous = null;
        foreach (ManifestBatch b in manifest.Batches)
        {
            Assert.True(LogObjectName.TryParse(b.Name, out LogObjectName parsed) && parsed.Kind == LogObjectKind.Batch && parsed.First == b.Name, b.Name);
            Assert.True(previous is null || string.CompareOrdinal(previous, b.Name) < 0);
            Assert.Equal(offset, b.Offset);
            Assert.InRange(b.Lines, 1, int.MaxValue);
            Assert.InRange(b.Length, (long)b.Lines, long.MaxValue - offset);
            _ = new LogPosition(b.Name, b.Lines - 1).BatchTime;
            offset += b.Length;
            previous = b.Name;
        }

        Assert.All(manifest.Supersedes, s => Assert.NotNull(s));
    }

    /// <summary>An end marker body, the key it is stored under, and its parsed name.</summary>
    private sealed record MarkerCase(byte[] Body, string Key, LogObjectName Name, bool Sound, string Json);

    private static readonly Gen<MarkerCase> AnyMarker = Gen.Select(
        Gen.Select(MergedName, Gen.Bool, Gen.UInt, MaybeCrc),
        Gen.Select(Gen.Int[0, 10], Gen.Select(Gen.Int[0, 99], AnyJson).Array[8, 8]),
        Gen.Select(AnyDamage, Gen.Int[0, 3]),
        (data, mutation, damage) =>
        {
            string key = LogObjectName.EndMarkerFor(data);
            LogObjectName.TryParse(key, out LogObjectName name);
            var slots = new Slots(mutation.Item1, mutation.Item2);
            string json = mutation.Item1 == 0 ? Encoding.UTF8.GetString(EndMarker.Serialize(data)) : slots.Object(("format", "\"objectlog.end/1\""), ("data", Quote(data)));
            byte[] body = Encoding.UTF8.GetBytes(json);
            bool damaged = damage.Item2 == 0;
            return new MarkerCase(damaged ? Damage(body, damage.Item1) : body, KeyPrefix + key, name, mutation.Item1 == 0 && !damaged, json);
        });

    private static string Print(MarkerCase c) => $"{c.Key} ({(c.Sound ? "sound" : "changed")}): {Encoding.UTF8.GetString(c.Body)}";

    private static void CheckMarker(MarkerCase c)
    {
        try
        {
            Assert.Equal(c.Name.DataName, EndMarker.Parse(c.Body, c.Key, c.Name));
        }
        catch (CorruptObjectException e)
        {
            Assert.False(c.Sound, $"a sound end marker was refused: {e.Message}");
            Assert.Equal(c.Key, e.Key);
            Assert.Contains($"'{c.Key}'", e.Message, StringComparison.Ordinal);
        }
    }
}
