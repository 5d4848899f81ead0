using ObjectLog.Storage;

namespace ObjectLog.Cli.Ui;

/// <summary>What <c>objlog ui</c> serves and where it listens.</summary>
internal sealed class UiServerOptions
{
    /// <summary>The store, opened from <c>--store</c>; its URL's own prefix is <see cref="StorePrefix"/>, not applied here.</summary>
    public required IObjectStore Store { get; init; }

    /// <summary>The store URL's own prefix (empty, or ending in '/'): logs are found and named under it.</summary>
    public required string StorePrefix { get; init; }

    /// <summary>Where the store is, for people: never the URL's query, which can hold secrets.</summary>
    public required string StoreDescription { get; init; }

    /// <summary>The log's name under <see cref="StorePrefix"/> (<c>--log</c>); <see langword="null"/>: the page offers the logs it finds.</summary>
    public string? Log { get; init; }

    /// <summary>The address to bind: loopback unless the user asks otherwise (<c>--listen</c>), since the page has no authentication.</summary>
    public string ListenAddress { get; init; } = "127.0.0.1";

    /// <summary>The port; 0 for any free one.</summary>
    public int Port { get; init; } = 5380;
}
