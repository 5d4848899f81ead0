using System.Text.Json.Serialization;

namespace ObjectLog.Cli;

/// <summary>The JSON that <c>ls --json</c>, <c>files --json</c>, <c>consumers --json</c> and <c>verify --json</c> print: snake_case, one object a line (for jq and line-by-line readers).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ListedObject))]
[JsonSerializable(typeof(ListedFile))]
[JsonSerializable(typeof(ListedConsumer))]
[JsonSerializable(typeof(VerifyJson))]
internal sealed partial class CliJson : JsonSerializerContext;
