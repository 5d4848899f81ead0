using System.Text.Json;
using System.Text.Json.Serialization;

namespace ObjectLog.Cli.Ui;

/// <summary>The logs the page can offer (the <c>logs</c> endpoint).</summary>
/// <param name="Store">Where the store is, for people: never the URL's query.</param>
/// <param name="FixedLog">The log the server was started on (<c>--log</c>), or <see langword="null"/>.</param>
/// <param name="Logs">The logs found under the store's prefix.</param>
/// <param name="Complete">Whether the search looked at every key (it stops after <see cref="LogCatalog.MaxKeysSearched"/>).</param>
internal sealed record LogList(string Store, string? FixedLog, IReadOnlyList<LogName> Logs, bool Complete);

/// <summary>A log the page can offer.</summary>
internal sealed record LogName(string Name);

/// <summary>An endpoint's refusal: what was wrong with the request.</summary>
internal sealed record UiError(string Error);

/// <summary>The JSON the <c>objlog ui</c> endpoints answer: camelCase, as a browser's script reads it (docs/ui.md).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(LogList))]
[JsonSerializable(typeof(EventPage))]
[JsonSerializable(typeof(EventView))]
[JsonSerializable(typeof(Histogram))]
[JsonSerializable(typeof(LogSummary))]
[JsonSerializable(typeof(UiError))]
internal sealed partial class UiJson : JsonSerializerContext;
