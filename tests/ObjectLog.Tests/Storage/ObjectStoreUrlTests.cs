using ObjectLog.Azure;
using ObjectLog.S3;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Storage;

public sealed class ObjectStoreUrlTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    [Fact]
    public void A_file_url_and_a_plain_path_open_the_folder_at_its_root()
    {
        using var dir = new TempDirectory();
        using ObjectStoreLocation url = ObjectStoreUrl.Open("file://" + dir.Path);
        using ObjectStoreLocation plain = ObjectStoreUrl.Open(dir.Path);
        Assert.Equal(Path.GetFullPath(dir.Path), Assert.IsType<FileSystemObjectStore>(url.Store).RootDirectory);
        Assert.IsType<FileSystemObjectStore>(plain.Store);
        Assert.Equal("", url.Prefix);
        Assert.Equal("app-logs", url.PrefixFor("app-logs/"));
    }

    [Fact]
    public async Task Memory_urls_with_one_name_share_a_store_and_different_names_do_not()
    {
        string name = "shared-" + Guid.NewGuid().ToString("N");
        using ObjectStoreLocation a = ObjectStoreUrl.Open($"memory://{name}/logs");
        using ObjectStoreLocation b = ObjectStoreUrl.Open($"memory://{name}");
        using ObjectStoreLocation other = ObjectStoreUrl.Open($"memory://{name}-other");
        Assert.Same(a.Store, b.Store);
        Assert.NotSame(a.Store, other.Store);
        Assert.Equal("logs", a.Prefix);
        Assert.Equal("logs/orders", a.PrefixFor("orders"));

        await using (var log = new AppendLog(a.Store, a.PrefixFor("orders")))
        {
            await log.AppendAsync("{}"u8.ToArray());
        }

        await using var reader = new AppendLog(b.Store, "logs/orders");
        Assert.Single(await reader.ReadAllAsync());
    }

    [Fact]
    public void Cloud_schemes_come_from_their_packages_and_never_show_secrets()
    {
        Func<string, string?> env = name => name switch
        {
            "AWS_ACCESS_KEY_ID" => "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY" => Secret,
            "AZURE_STORAGE_CONNECTION_STRING" => "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;",
            _ => null,
        };
        using ObjectStoreLocation s3 = ObjectStoreUrl.Open("s3://bucket/a/b?endpoint=http://127.0.0.1:7480", env);
        using ObjectStoreLocation az = ObjectStoreUrl.Open("az://container/c", env);
        Assert.Equal("bucket", Assert.IsType<S3ObjectStore>(s3.Store).BucketName);
        Assert.Equal("a/b", s3.Prefix);
        Assert.Equal("s3://bucket/a/b at http://127.0.0.1:7480", s3.Description);
        Assert.Equal("container", Assert.IsType<AzureBlobObjectStore>(az.Store).ContainerName);
        Assert.Equal("c", az.Prefix);
        Assert.DoesNotContain("Eby8", az.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Referencing_a_store_package_is_enough_even_before_its_types_are_touched()
    {
        // objlog touches no S3 type before opening its --store URL, so only the core's loader can register s3://.
        using var dir = new TempDirectory();
        (_, string stdout, string stderr) = await ChildProcess.RunDllAsync(
            typeof(ObjectLog.Cli.StoreLocation).Assembly.Location,
            dir.Path,
            ["ls", "--store", "s3://bucket?endpoint=http://127.0.0.1:1"],
            new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE", ["AWS_SECRET_ACCESS_KEY"] = Secret });
        string output = stdout + stderr;
        Assert.DoesNotContain("needs the ObjectLog.S3 package", output, StringComparison.Ordinal);
        Assert.Contains("could not be reached", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_registered_scheme_opens_and_built_in_schemes_cannot_be_replaced()
    {
        var store = new InMemoryObjectStore();
        ObjectStoreUrl.Register("test-scheme", (rest, _) => new ObjectStoreLocation(store, rest, "test"));
        using ObjectStoreLocation opened = ObjectStoreUrl.Open("test-scheme://x/y");
        Assert.Same(store, opened.Store);
        Assert.Equal("x/y", opened.Prefix);
        Assert.Throws<ArgumentException>(() => ObjectStoreUrl.Register("file", (_, _) => opened));
        Assert.Throws<ArgumentException>(() => ObjectStoreUrl.Register("1bad", (_, _) => opened));
    }

    [Theory]
    [InlineData("gs://bucket", "unsupported scheme 'gs://'")]
    [InlineData("memory://", "needs a store name")]
    [InlineData("memory://m/../up", "'..' segment")]
    [InlineData("memory://m?colour=blue", "unknown parameter 'colour'")]
    [InlineData("file://", "needs a folder path")]
    public void Bad_urls_are_refused_naming_the_problem(string url, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ObjectStoreUrl.Open(url, _ => null));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Equal("url", e.ParamName);
    }
}
