using ObjectLog.KitBackend;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Conformance;

/// <summary>
/// The conformance suite against <see cref="KitObjectStore"/>, a backend written in its own assembly against the
/// public kit alone (no InternalsVisibleTo), opened through its registered URL scheme as an application would: what a
/// backend outside this repository can do, the shipped ones can.
/// </summary>
public sealed class KitBackendConformanceTests : ObjectStoreConformanceTests, IDisposable
{
    private readonly ObjectStoreLocation _location;

    public KitBackendConformanceTests()
    {
        KitStoreUrl.Register();
        _location = ObjectStoreUrl.Open("kit://conformance?page_size=400");
    }

    protected override IObjectStore Store => _location.Store;

    /// <summary>The kit service has no conditional update: the backend keeps the interface's refusing defaults.</summary>
    protected override bool ConditionalUpdateExpected => false;

    [Fact]
    public void The_scheme_is_parsed_and_checked_by_the_kit()
    {
        using ObjectStoreLocation prefixed = ObjectStoreUrl.Open("kit://other/logs/app/");
        Assert.Equal("logs/app", prefixed.Prefix);
        Assert.Equal("kit://other/logs/app", prefixed.Description);
        Assert.IsType<KitObjectStore>(prefixed.Store);

        Assert.Contains("unknown parameter 'pagesize'", Assert.Throws<ArgumentException>(() => ObjectStoreUrl.Open("kit://x?pagesize=3")).Message, StringComparison.Ordinal);
        Assert.Contains("needs a service name", Assert.Throws<ArgumentException>(() => ObjectStoreUrl.Open("kit:///prefix")).Message, StringComparison.Ordinal);
        Assert.Contains("page_size", Assert.Throws<ArgumentException>(() => ObjectStoreUrl.Open("kit://x?page_size=0")).Message, StringComparison.Ordinal);
    }

    public void Dispose() => _location.Dispose();
}
