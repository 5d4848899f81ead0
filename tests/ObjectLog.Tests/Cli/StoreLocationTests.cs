using ObjectLog.Cli;
using ObjectLog.S3;
using ObjectLog.Azure;
using ObjectLog.Storage;

namespace ObjectLog.Tests.Cli;

public sealed class StoreLocationTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string ConnectionString = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";

    private static string? Env(string name) => name switch
    {
        "AWS_ACCESS_KEY_ID" => "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY" => Secret,
        "AZURE_STORAGE_CONNECTION_STRING" => ConnectionString,
        _ => null,
    };

    [Fact]
    public void A_plain_path_and_file_urls_are_folders()
    {
        using var dir = new TempDirectory();
        using StoreLocation plain = StoreLocation.Parse(dir.Path, "events");
        using StoreLocation url = StoreLocation.Parse("file://" + dir.Path, "a/b");
        Assert.IsType<FileSystemObjectStore>(plain.Store);
        Assert.Equal("events", plain.LogPrefix);
        Assert.Equal("a/b", url.LogPrefix);
    }

    [Fact]
    public void A_log_url_names_the_objects_the_logger_and_hosting_write_for_it()
    {
        using var dir = new TempDirectory();
        string folder = "file://" + Path.Combine(dir.Path, "data", "app-logs");
        using (StoreLocation cli = StoreLocation.ParseLogUrl(folder))
        using (ObjectStoreLocation library = ObjectStoreUrl.Open(folder))
        {
            // The library's folder store is the log's own folder; the command line's is its parent, the log a prefix in it.
            Assert.Equal(((FileSystemObjectStore)library.Store).RootDirectory.TrimEnd(Path.DirectorySeparatorChar), Path.Combine(((FileSystemObjectStore)cli.Store).RootDirectory, cli.LogPrefix).TrimEnd(Path.DirectorySeparatorChar));
            Assert.Equal("", library.Prefix);
        }

        foreach (string url in new[] { "s3://bucket/app-logs?endpoint=http://127.0.0.1:7480", "s3://bucket/team/app-logs?region=eu-west-1", "az://container/team/app-logs" })
        {
            using StoreLocation cli = StoreLocation.ParseLogUrl(url, Env);
            using ObjectStoreLocation library = ObjectStoreUrl.Open(url, Env);
            Assert.Equal(library.Prefix, cli.LogPrefix);
        }

        var e = Assert.Throws<ArgumentException>(() => StoreLocation.ParseLogUrl("s3://bucket?region=eu-west-1", Env));
        Assert.Contains("names no log", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_programs_find_an_object_by_an_absolute_path_or_a_cloud_url_without_the_query()
    {
        using var dir = new TempDirectory();
        using StoreLocation folder = StoreLocation.Parse("file://" + dir.Path, "events");
        Assert.Equal(Path.Combine(Path.GetFullPath(dir.Path), "events", "batch_1.jsonl"), folder.ExternalPathOf("events/batch_1.jsonl"));

        using StoreLocation s3 = StoreLocation.Parse("s3://my-bucket/journals?endpoint=http://127.0.0.1:7480&region=eu-west-1", "errors", Env);
        Assert.Equal("s3://my-bucket/journals/errors/batch_1.jsonl", s3.ExternalPathOf("journals/errors/batch_1.jsonl"));

        using StoreLocation az = StoreLocation.Parse("az://journals/x", "errors", Env);
        Assert.Equal("az://journals/x/errors/batch_1.jsonl", az.ExternalPathOf("x/errors/batch_1.jsonl"));

        using StoreLocation memory = StoreLocation.Parse("memory://paths/p", "errors");
        Assert.Null(memory.ExternalPathOf("p/errors/batch_1.jsonl"));
    }

    [Fact]
    public void An_s3_url_names_bucket_prefix_and_endpoint_and_never_the_secret()
    {
        using StoreLocation s3 = StoreLocation.Parse("s3://my-bucket/journals/prod?endpoint=http://127.0.0.1:7480&region=eu-west-1&create_only=false", "errors", Env);
        var store = Assert.IsType<S3ObjectStore>(s3.Store);
        Assert.Equal("my-bucket", store.BucketName);
        Assert.False(store.SupportsCreateOnly);
        Assert.Equal("journals/prod/errors", s3.LogPrefix);
        Assert.Equal("s3://my-bucket/journals/prod at http://127.0.0.1:7480 (log 'errors')", s3.Description);
        Assert.DoesNotContain(Secret, s3.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void An_az_url_takes_the_connection_string_from_the_environment_and_never_shows_the_key()
    {
        using StoreLocation az = StoreLocation.Parse("az://logs/prod", "audit", Env);
        var store = Assert.IsType<AzureBlobObjectStore>(az.Store);
        Assert.Equal("logs", store.ContainerName);
        Assert.Equal("prod/audit", az.LogPrefix);
        Assert.DoesNotContain("AccountKey", az.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("Eby8", az.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("az://logs/prod", "AZURE_STORAGE_CONNECTION_STRING")]
    [InlineData("az://logs?connection_string=AccountKey%3Dsecret-key-material", "not valid")]
    [InlineData("s3:///prefix", "bucket name")]
    [InlineData("s3://bucket/x?endpoint=ftp://host", "http:// or https://")]
    [InlineData("s3://bucket/x?colour=blue", "unknown parameter 'colour'")]
    [InlineData("s3://bucket/../up", "'..' segment")]
    [InlineData("gs://bucket", "unsupported scheme 'gs://'")]
    public void Bad_urls_are_refused_naming_the_problem_without_echoing_secrets(string url, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => StoreLocation.Parse(url, "events", _ => null));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-key-material", e.Message, StringComparison.Ordinal);
    }
}
