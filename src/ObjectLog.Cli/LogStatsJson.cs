using System.Text.Json.Serialization;

namespace ObjectLog.Cli;

/// <summary>The JSON form of <see cref="LogStats"/>: snake_case, indented, times in ISO 8601.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(LogStats))]
internal sealed partial class LogStatsJson : JsonSerializerContext;
