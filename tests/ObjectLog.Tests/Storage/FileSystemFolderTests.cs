using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.Versioning;
using ObjectLog.Storage;
using static ObjectLog.Tests.Log.Events;

namespace ObjectLog.Tests.Storage;

/// <summary>
/// The folder store stays inside its root and never hangs: it follows no symbolic link, enters no linked folder,
/// opens no FIFO, socket or device, and a folder it cannot read is an error, never an empty log. Every operation
/// here runs under a deadline, so a store that blocks fails the test instead of hanging the run. Linux only: FIFOs,
/// sockets and the guarantees against them are Linux's (see <see cref="FileSystemObjectStore"/>).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class FileSystemFolderTests : IDisposable
{
    private const string LinkedBatch = "events/batch_0000000000000000001.jsonl";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly TempDirectory _dir = new();
    private readonly TempDirectory _outside = new();

    public FileSystemFolderTests()
    {
        Root = Path.Combine(_dir.Path, "store");
        Directory.CreateDirectory(Root);
    }

    private string Root { get; }

    public void Dispose()
    {
        _dir.Dispose();
        _outside.Dispose();
    }

    [SkippableTheory]
    [InlineData("linux")]
    [InlineData("linux without openat2")]
    [InlineData("portable")]
    public async Task A_link_named_like_a_batch_to_a_file_outside_the_root_is_never_read_merged_or_deleted(string access)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux only");
        await WriteEventsAsync("a", "b");
        string secret = Path.Combine(_outside.Path, "passwd");
        File.WriteAllText(secret, "root:x:0:0\n");
        File.CreateSymbolicLink(PathOf(LinkedBatch), secret);
        FileSystemObjectStore store = Open(access);

        Assert.DoesNotContain(LinkedBatch, await KeysAsync(store, "events/"));
        await using (var log = new AppendLog(store, "events", Quiet()))
        {
            Assert.Equal(["a", "b"], Texts(await Within(() => log.ReadAllAsync())));
            VerifyReport report = await Within(() => log.VerifyAsync());
            Assert.True(report.IsSound, string.Join("; ", report.Problems.Select(p => p.Message)));
            Assert.Equal(2, report.Events);
            Assert.Equal(1, report.ForeignObjects);
            CompactionStats compacted = await Within(() => log.CompactAsync());
            Assert.Equal(2, compacted.Events);
            Assert.Equal(["a", "b"], Texts(await Within(() => log.ReadAllAsync())));
        }

        ObjectStoreException refused = await Assert.ThrowsAsync<ObjectStoreException>(() => Within(() => store.GetAsync(LinkedBatch)));
        Assert.IsNotType<ObjectNotFoundException>(refused);
        Assert.Contains(LinkedBatch, refused.Message, StringComparison.Ordinal);
        Assert.Contains("symbolic link", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ObjectStoreException>(() => Within(() => store.DeleteAsync(LinkedBatch)));
        Assert.Equal("root:x:0:0\n", File.ReadAllText(secret));
        Assert.NotNull(File.ResolveLinkTarget(PathOf(LinkedBatch), returnFinalTarget: false));
    }

    [SkippableTheory]
    [InlineData("linux")]
    [InlineData("linux without openat2")]
    [InlineData("portable")]
    public async Task A_dangling_link_and_a_looping_link_named_like_batches_fail_no_read_and_no_verify(string access)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux only");
        await WriteEventsAsync("a", "b");
        File.CreateSymbolicLink(PathOf(LinkedBatch), Path.Combine(_outside.Path, "gone"));
        File.CreateSymbolicLink(PathOf("events/batch_0000000000000000002.jsonl"), PathOf("events/batch_0000000000000000003.jsonl"));
        File.CreateSymbolicLink(PathOf("events/batch_0000000000000000003.jsonl"), PathOf("events/batch_0000000000000000002.jsonl"));
        FileSystemObjectStore store = Open(access);

        await using var log = new AppendLog(store, "events", Quiet());
        Assert.Equal(["a", "b"], Texts(await Within(() => log.ReadAllAsync())));
        VerifyReport report = await Within(() => log.VerifyAsync());
        Assert.True(report.IsSound, string.Join("; ", report.Problems.Select(p => p.Message)));
        Assert.Equal(3, report.ForeignObjects);
        Assert.Equal(2, (await Within(() => log.CompactAsync())).Events);
        Assert.Equal(["a", "b"], Texts(await Within(() => log.ReadAllAsync())));
        await Assert.ThrowsAsync<ObjectStoreException>(() => Within(() => store.GetAsync("events/batch_0000000000000000002.jsonl")));
    }

    [SkippableTheory]
    [InlineData("linux")]
    [InlineData("linux without openat2")]
    public async Task A_fifo_named_like_a_batch_never_blocks_a_list_read_verify_or_compact(string access)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux only");
        await WriteEventsAsync("a", "b");
        MakeFifo(PathOf(LinkedBatch));
        FileSystemObjectStore store = Open(access);

        Assert.DoesNotContain(LinkedBatch, await KeysAsync(store, "events/"));
        await using (var log = new AppendLog(store, "events", Quiet()))
        {
            Assert.Equal(["a", "b"], Texts(await Within(() => log.ReadAllAsync())));
            VerifyReport report = await Within(() => log.VerifyAsync());
            Assert.True(report.IsSound, string.Join("; ", report.Problems.Select(p => p.Message)));
            Assert.Equal(1, report.ForeignObjects);
            Assert.Equal(2, (await Within(() => log.CompactAsync())).Events);
            Assert.Equal(["a", "b"], Texts(await Within(() => log.ReadAllAsync())));
        }

        ObjectStoreException refused = await Assert.ThrowsAsync<ObjectStoreException>(() => Within(() => store.GetAsync(LinkedBatch)));
        Assert.IsNotType<ObjectNotFoundException>(refused);
        Assert.Contains(LinkedBatch, refused.Message, StringComparison.Ordinal);
        Assert.Contains("FIFO", refused.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(PathOf(LinkedBatch)), "the FIFO is not the log's: compaction left it");
    }

    [SkippableTheory]
    [InlineData("linux")]
    [InlineData("linux without openat2")]
    public async Task A_socket_named_like_a_batch_is_not_the_logs(string access)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux only");
        await WriteEventsAsync("a");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(PathOf(LinkedBatch)));
        FileSystemObjectStore store = Open(access);

        Assert.DoesNotContain(LinkedBatch, await KeysAsync(store, "events/"));
        await using var log = new AppendLog(store, "events", Quiet());
        Assert.Equal(["a"], Texts(await Within(() => log.ReadAllAsync())));
        VerifyReport report = await Within(() => log.VerifyAsync());
        Assert.True(report.IsSound, string.Join("; ", report.Problems.Select(p => p.Message)));
        Assert.Equal(1, report.ForeignObjects);
        ObjectStoreException refused = await Assert.ThrowsAsync<ObjectStoreException>(() => Within(() => store.GetAsync(LinkedBatch)));
        Assert.Contains("socket", refused.Message, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("linux")]
    [InlineData("linux without openat2")]
    [InlineData("portable")]
    public async Task Folder_links_under_the_prefix_are_never_entered_so_listing_stays_quick(string access)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux only");
        await WriteEventsAsync("a", "b");
        Directory.CreateSymbolicLink(PathOf("events/a"), ".");
        Directory.CreateSymbolicLink(PathOf("events/b"), ".");
        Directory.CreateSymbolicLink(PathOf("events/usr"), "/usr");
        Directory.CreateSymbolicLink(PathOf("loop"), ".");
        Directory.CreateSymbolicLink(PathOf("up"), "..");
        FileSystemObjectStore store = Open(access);
        await KeysAsync(store, "events/"); // warm up: the measure is of the walk, not of the JIT

        var clock = Stopwatch.StartNew();
        List<string> underPrefix = await KeysAsync(store, "events/");
        List<string> everything = await KeysAsync(store, "");
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"three listings took {clock.Elapsed}");
        Assert.Equal(2, underPrefix.Count);
        Assert.All(underPrefix, k => Assert.StartsWith("events/batch_", k, StringComparison.Ordinal));
        Assert.Equal(underPrefix, everything);
        ObjectStoreException through = await Assert.ThrowsAsync<ObjectStoreException>(() => KeysAsync(store, "events/a/a/b/"));
        Assert.Contains("'events/a'", through.Message, StringComparison.Ordinal);
        await using var log = new AppendLog(store, "events", Quiet());
        Assert.Equal(["a", "b"], Texts(await Within(() => log.ReadAllAsync())));
        Assert.Equal(3, (await Within(() => log.VerifyAsync())).ForeignObjects);
    }

    [SkippableTheory]
    [InlineData("linux")]
    [InlineData("linux without openat2")]
    [InlineData("portable")]
    public async Task A_log_folder_that_is_a_link_out_of_the_root_is_refused_by_every_operation(string access)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux only");
        string elsewhere = Path.Combine(_outside.Path, "logs");
        Directory.CreateDirectory(elsewhere);
        string outsideBatch = Path.Combine(elsewhere, "batch_0000000000000000001.jsonl");
        File.WriteAllText(outsideBatch, "secret\n");
        Directory.CreateSymbolicLink(PathOf("logs"), elsewhere);
        FileSystemObjectStore store = Open(access);

        ObjectStoreException listing = await Assert.ThrowsAsync<ObjectStoreException>(() => KeysAsync(store, "logs/"));
        Assert.Contains("'logs'", listing.Message, StringComparison.Ordinal);
        Assert.Contains("symbolic link", listing.Message, StringComparison.Ordinal);
        Assert.Empty(await KeysAsync(store, "")); // from the root, 'logs' is a link: not entered, not listed

        ObjectStoreException read = await Assert.ThrowsAsync<ObjectStoreException>(() => Within(() => store.GetAsync("logs/batch_0000000000000000001.jsonl")));
        Assert.IsNotType<ObjectNotFoundException>(read);
        Assert.Contains("logs/batch_0000000000000000001.jsonl", read.Message, StringComparison.Ordinal);

        ObjectStoreException write = await Assert.ThrowsAsync<ObjectStoreException>(() => Within(() => store.PutAsync("logs/new", new MemoryStream("x"u8.ToArray()), PutMode.Create)));
        Assert.Contains("logs/new", write.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ObjectStoreException>(() => Within(() => store.PutAsync("logs/sub/new", new MemoryStream("x"u8.ToArray()), PutMode.Overwrite)));
        await Assert.ThrowsAsync<ObjectStoreException>(() => Within(() => store.DeleteAsync("logs/batch_0000000000000000001.jsonl")));

        Assert.Equal(["batch_0000000000000000001.jsonl"], Directory.GetFileSystemEntries(elsewhere).Select(Path.GetFileName));
        Assert.Equal("secret\n", File.ReadAllText(outsideBatch));

        await using var log = new AppendLog(store, "logs", Quiet());
        await Assert.ThrowsAsync<ObjectStoreException>(() => Within(() => log.ReadAllAsync()));
    }

    [SkippableTheory]
    [InlineData("linux")]
    [InlineData("linux without openat2")]
    [InlineData("portable")]
    public async Task A_staging_folder_that_is_a_link_is_refused_and_the_folder_it_names_keeps_its_files(string access)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux only");
        string elsewhere = Path.Combine(_outside.Path, "scratch");
        Directory.CreateDirectory(elsewhere);
        string old = Path.Combine(elsewhere, "precious.tmp");
        File.WriteAllText(old, "not the store's");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-2));
        string staging = PathOf(FileSystemObjectStore.StagingFolderName);
        Directory.CreateSymbolicLink(staging, elsewhere);
        FileSystemObjectStore store = Open(access);

        ObjectStoreException refused = await Assert.ThrowsAsync<ObjectStoreException>(() => Within(() => store.PutAsync("events/x", new MemoryStream("x"u8.ToArray()), PutMode.Create)));
        Assert.Contains(staging, refused.Message, StringComparison.Ordinal);
        Assert.Contains("symbolic link", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ObjectStoreException>(() => Within(() => store.PutAsync("events/y", "y"u8.ToArray())));
        await using (var log = new AppendLog(store, "events", Quiet()))
        {
            Assert.Empty((await Within(() => log.VerifyAsync())).StaleStagedFiles);
        }

        Assert.True(File.Exists(old), "the sweep never runs in a linked staging folder");
        Assert.Equal(["precious.tmp"], Directory.GetFileSystemEntries(elsewhere).Select(Path.GetFileName));
        Assert.False(Directory.Exists(PathOf("events")) && Directory.EnumerateFileSystemEntries(PathOf("events")).Any());
    }

    [SkippableTheory]
    [InlineData("linux")]
    [InlineData("linux without openat2")]
    [InlineData("portable")]
    public async Task FindSpecialEntries_names_what_is_not_a_regular_file_without_following_or_opening_it(string access)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux only");
        await WriteEventsAsync("a");
        File.CreateSymbolicLink(PathOf(LinkedBatch), "/etc/passwd");
        File.CreateSymbolicLink(PathOf("events/dangling"), Path.Combine(_outside.Path, "gone"));
        Directory.CreateSymbolicLink(PathOf("events/usr"), "/usr");
        Directory.CreateDirectory(PathOf("events/sub"));
        File.CreateSymbolicLink(PathOf("events/sub/deep"), "/etc/hostname");
        Directory.CreateSymbolicLink(PathOf("elsewhere"), "/usr");
        bool linux = access != "portable"; // the portable access cannot tell a FIFO or socket from a file
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        if (linux)
        {
            MakeFifo(PathOf("events/fifo"));
            socket.Bind(new UnixDomainSocketEndPoint(PathOf("events/sock")));
        }

        FileSystemObjectStore store = Open(access);

        List<(string Key, string What)> expected = [(LinkedBatch, "symbolic link"), ("events/dangling", "symbolic link"), ("events/sub/deep", "symbolic link"), ("events/usr", "symbolic link")];
        if (linux)
        {
            expected.AddRange([("events/fifo", "FIFO"), ("events/sock", "socket")]);
        }

        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), store.FindSpecialEntries("events/"));
        Assert.Equal([("elsewhere", "symbolic link")], store.FindSpecialEntries("el"));
        Assert.Equal([("events/sub/deep", "symbolic link")], store.FindSpecialEntries("events/sub/"));
        Assert.Empty(store.FindSpecialEntries("other/"));
        Assert.All(await KeysAsync(store, ""), k => Assert.StartsWith("events/batch_", k, StringComparison.Ordinal));
    }

    [SkippableTheory]
    [InlineData("linux")]
    [InlineData("linux without openat2")]
    public async Task A_device_named_like_a_batch_is_never_opened(string access)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux only");
        Skip.IfNot(IsRoot, "making a device takes root");
        await WriteEventsAsync("a");
        using (Process mknod = Process.Start("mknod", [PathOf(LinkedBatch), "c", "1", "3"])) // what /dev/null is
        {
            mknod.WaitForExit();
            Skip.If(mknod.ExitCode != 0, "this container may not make devices");
        }

        FileSystemObjectStore store = Open(access);
        Assert.DoesNotContain(LinkedBatch, await KeysAsync(store, "events/"));
        Assert.Equal([(LinkedBatch, "character device")], store.FindSpecialEntries("events/"));
        await using var log = new AppendLog(store, "events", Quiet());
        Assert.Equal(["a"], Texts(await Within(() => log.ReadAllAsync())));
        Assert.Equal(1, (await Within(() => log.VerifyAsync())).ForeignObjects);
        ObjectStoreException refused = await Assert.ThrowsAsync<ObjectStoreException>(() => Within(() => store.GetAsync(LinkedBatch)));
        Assert.Contains("character device", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ObjectStoreException>(() => Within(() => store.DeleteAsync(LinkedBatch)));
        Assert.True(File.Exists(PathOf(LinkedBatch)));
    }

    [SkippableFact]
    public async Task An_unreadable_folder_is_an_error_naming_it_never_an_empty_log()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux only");
        await WriteEventsAsync("a", "b");
        string events = PathOf("events");
        if (!IsRoot)
        {
            File.SetUnixFileMode(events, UnixFileMode.None);
            try
            {
                var store = new FileSystemObjectStore(Root);
                ObjectStoreException e = await Assert.ThrowsAsync<ObjectStoreException>(() => KeysAsync(store, "events/"));
                Assert.False(e.IsTransient);
                Assert.Contains(events, e.Message, StringComparison.Ordinal);
                await using var log = new AppendLog(store, "events", Quiet());
                await Assert.ThrowsAsync<ObjectStoreException>(() => Within(() => log.ReadAllAsync()));
            }
            finally
            {
                File.SetUnixFileMode(events, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            return;
        }

        // Root reads any folder, so the CLI runs as 'nobody' for this (cat, verify and compact each read the log).
        Skip.IfNot(File.Exists("/usr/bin/setpriv"), "running as root without setpriv: cannot read as another user");
        File.SetUnixFileMode(events, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // nobody may neither read nor enter it
        foreach (string command in new[] { "cat", "verify", "compact", "ls" })
        {
            (int code, string output, string error) = await RunObjlogAsync([command, "--store", Root, "--log", "events"], asNobody: true);
            Assert.True(code == 1, $"{command}: exit {code}: {output}{error}");
            Assert.Contains(events, error, StringComparison.Ordinal);
            Assert.DoesNotContain("nothing is stored", error, StringComparison.Ordinal);
        }

        // A folder that may be listed but not entered: its files cannot be looked at, which is an error too.
        File.SetUnixFileMode(events, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead);
        (int c, string o, string err) = await RunObjlogAsync(["cat", "--store", Root, "--log", "events"], asNobody: true);
        Assert.True(c == 1, $"cat: exit {c}: {o}{err}");
        Assert.Contains(events, err, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Ls_shows_what_is_not_the_logs_and_verify_counts_it_while_cat_and_compact_read_past_it()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux only");
        await WriteEventsAsync("{\"n\":1}", "{\"n\":2}");
        string secret = Path.Combine(_outside.Path, "passwd");
        File.WriteAllText(secret, "root:x:0:0\n");
        File.CreateSymbolicLink(PathOf(LinkedBatch), secret);
        MakeFifo(PathOf("events/batch_0000000000000000002.jsonl"));
        Directory.CreateSymbolicLink(PathOf("events/usr"), "/usr");

        (int code, string output, string error) = await RunObjlogAsync(["ls", "--store", Root, "--log", "events"]);
        Assert.True(code == 0, error);
        Assert.Contains($"{LinkedBatch}\t-\tnot the log's (symbolic link)", output, StringComparison.Ordinal);
        Assert.Contains("events/batch_0000000000000000002.jsonl\t-\tnot the log's (FIFO)", output, StringComparison.Ordinal);
        Assert.Contains("events/usr\t-\tnot the log's (symbolic link)", output, StringComparison.Ordinal);

        (code, output, error) = await RunObjlogAsync(["verify", "--store", Root, "--log", "events"]);
        Assert.True(code == 0, output + error);
        Assert.Contains("3 other objects (ignored)", output, StringComparison.Ordinal);
        Assert.Contains($"not the log's (symbolic link, never followed): {LinkedBatch}", output, StringComparison.Ordinal);
        Assert.Contains("not the log's (FIFO, never opened): events/batch_0000000000000000002.jsonl", output, StringComparison.Ordinal);

        (code, output, error) = await RunObjlogAsync(["cat", "--store", Root, "--log", "events"]);
        Assert.True(code == 0, error);
        Assert.Equal("{\"n\":1}\n{\"n\":2}\n", output);
        (code, output, error) = await RunObjlogAsync(["compact", "--store", Root, "--log", "events"]);
        Assert.True(code == 0, error);
        Assert.Contains("(2 events)", output, StringComparison.Ordinal);
        Assert.Equal("root:x:0:0\n", File.ReadAllText(secret));
    }

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>A store on the root with the folder access named: Linux's, Linux's as on kernels without openat2, or the portable one (Windows, macOS).</summary>
    private FileSystemObjectStore Open(string access) => new(Root, TimeProvider.System, access switch
    {
        "linux" => FolderAccessKind.Best,
        "linux without openat2" => FolderAccessKind.LinuxWithoutOpenat2,
        _ => FolderAccessKind.Portable,
    });

    private string PathOf(string key) => Path.Combine(Root, key.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Appends each event as its own batch under <c>events/</c>.</summary>
    private async Task WriteEventsAsync(params string[] events)
    {
        await using var log = new AppendLog(new FileSystemObjectStore(Root), "events", Quiet(threshold: 1));
        foreach (string e in events)
        {
            await log.AppendAsync(E(e));
        }

        await log.FlushAsync();
    }

    private static async Task<List<string>> KeysAsync(FileSystemObjectStore store, string prefix)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var keys = new List<string>();
        await foreach (ObjectMeta meta in store.ListAsync(prefix, null, deadline.Token))
        {
            keys.Add(meta.Key);
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    /// <summary>Runs <paramref name="operation"/> off the test's thread, failing if it takes longer than <see cref="Deadline"/> (a blocked open never returns).</summary>
    private static async Task<T> Within<T>(Func<Task<T>> operation) => await Task.Run(operation).WaitAsync(Deadline);

    private static async Task Within(Func<Task> operation) => await Task.Run(operation).WaitAsync(Deadline);

    private static void MakeFifo(string path)
    {
        using Process mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    /// <summary>Runs <c>objlog</c> in a child process (as 'nobody' if asked), killing it if it outlives the deadline.</summary>
    private async Task<(int Code, string Output, string Error)> RunObjlogAsync(string[] args, bool asNobody = false)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "objlog.dll");
        var start = new ProcessStartInfo(asNobody ? "setpriv" : "dotnet") { WorkingDirectory = _dir.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        if (asNobody)
        {
            foreach (string a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "dotnet" })
            {
                start.ArgumentList.Add(a);
            }

            start.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        }

        start.ArgumentList.Add(cli);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"objlog {string.Join(' ', args)} did not finish in 60 s");
        }

        return (process.ExitCode, await output, await error);
    }
}
