using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace ObjectLog.Storage;

/// <summary>
/// A store on a local directory: key <c>a/b/c</c> is the file <c>{root}/a/b/c</c>.
/// </summary>
/// <remarks>
/// <para>
/// Every put stages the bytes in a temporary file under <c>{root}/.objectlog-tmp/</c>, flushes it to disk, and
/// only then publishes it, then syncs the directory, so a put that returned survives a power loss: by rename for
/// <see cref="PutMode.Overwrite"/>, by a rename that refuses to replace for <see cref="PutMode.Create"/>
/// (<c>renameat2(RENAME_NOREPLACE)</c> on Linux, else <c>link(2)</c>, both atomic). Puts that publish into one
/// directory at once share its sync (group commit). A crash therefore never leaves a partial object under its key, and the
/// staging folder is never listed. The key rules in <see cref="ObjectKey"/> keep every path inside the root.
/// </para>
/// <para>Listing walks the directory tree and returns files in no particular order.</para>
/// <para>
/// A writer killed during a put leaves its staged file behind. The store removes staged files whose last write is
/// older than <see cref="StaleStagedFileAge"/> (1 hour): at its first put, and then at most once an hour during puts,
/// never when it only reads (so <c>objlog cat</c> or <c>verify</c> change nothing). A live put's staged file is
/// never that old: a put writes it, flushes it and publishes it in one go, and each write moves its last write time
/// forward, so a file untouched for an hour belongs to a put that is no longer running (its process died, or its
/// machine lost power). A put whose single write of one batch took an hour would lose its staged file and fail, and
/// be retried. <see cref="AppendLog.VerifyAsync"/> reports stale staged files.
/// </para>
/// </remarks>
public sealed class FileSystemObjectStore : IObjectStore
{
    /// <summary>The folder under the root where puts are staged; keys may not start with it.</summary>
    public const string StagingFolderName = ".objectlog-tmp";

    /// <summary>
    /// How long a staged file goes unwritten before the store takes it for a dead writer's and removes it. A live
    /// put's staged file is seconds old at most (see the remarks).
    /// </summary>
    public static readonly TimeSpan StaleStagedFileAge = TimeSpan.FromHours(1);

    private readonly string _root;
    private readonly string _staging;
    private readonly DirectorySyncer _directorySyncer = new();
    private readonly TimeProvider _time;

    /// <summary>When the next put sweeps stale staged files (ticks of <see cref="TimeProvider.GetUtcNow"/>); the first put does.</summary>
    private long _nextSweep = long.MinValue;

    /// <summary>Creates a store rooted at <paramref name="rootDirectory"/>, creating the directory if needed.</summary>
    /// <exception cref="ArgumentException"><paramref name="rootDirectory"/> is empty or only whitespace.</exception>
    public FileSystemObjectStore(string rootDirectory)
        : this(rootDirectory, TimeProvider.System)
    {
    }

    /// <summary>As the public constructor, with a clock for the staged-file sweep (tests).</summary>
    internal FileSystemObjectStore(string rootDirectory, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        _time = time;
        _root = Path.GetFullPath(rootDirectory);
        _staging = Path.Combine(_root, StagingFolderName);
        Directory.CreateDirectory(_root);
    }

    /// <summary>The absolute path of the root directory.</summary>
    public string RootDirectory => _root;

    /// <inheritdoc />
    public bool SupportsCreateOnly => true;

    /// <inheritdoc />
    /// <remarks>
    /// The kernel's clock, read as the modification time of a file just created in the staging folder: what every
    /// object written now is stamped with. Every process on this machine shares it, even one whose own view of the
    /// time is shifted (a test under <c>faketime</c>, a container with an offset). Where the folder cannot be written
    /// (a read-only store), it is this process's clock.
    /// </remarks>
    public ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string probe = Path.Combine(_staging, $"{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(_staging);
            DateTime stamped;
            using (SafeFileHandle file = File.OpenHandle(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.DeleteOnClose))
            {
                stamped = File.GetLastWriteTimeUtc(file);
            }

            return ValueTask.FromResult(new DateTimeOffset(stamped, TimeSpan.Zero));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ValueTask.FromResult(DateTimeOffset.UtcNow);
        }
    }

    /// <inheritdoc />
    public async Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default)
    {
        string path = PathOf(key);
        ArgumentNullException.ThrowIfNull(content);
        Directory.CreateDirectory(_staging);
        SweepStagedFilesIfDue();
        string temp = Path.Combine(_staging, $"{Guid.NewGuid():N}.tmp");
        bool published = false;
        try
        {
            if (content is ReadOnlyMemoryStream memory)
            {
                // All of it blocks (write, fsync, rename, directory fsync), so it runs on a file I/O thread, not the
                // pool's: several puts at once would otherwise hold pool threads through their fsyncs.
                cancellationToken.ThrowIfCancellationRequested();
                await BlockingIoThreads.RunAsync(() => published = WriteAndPublish(temp, memory.Remaining, path, mode, key, cancellationToken)).ConfigureAwait(false);
            }
            else
            {
                await StageAsync(temp, content, cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                await BlockingIoThreads.RunAsync(() => published = WriteAndPublish(temp, null, path, mode, key, cancellationToken)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException and not ObjectStoreException or UnauthorizedAccessException)
        {
            throw new ObjectStoreException($"Writing object '{key}' failed: {e.Message}", key, isTransient: false, e);
        }
        finally
        {
            if (!published)
            {
                TryDelete(temp);
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="data"/> (if given) to the staged file, flushes it to disk, publishes it under
    /// <paramref name="path"/> and syncs the directory. Returns <see langword="true"/> once published.
    /// </summary>
    private bool WriteAndPublish(string temp, ReadOnlyMemory<byte>? data, string path, PutMode mode, string key, CancellationToken cancellationToken)
    {
        using (SafeFileHandle file = data is { } bytes
            ? File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, bytes.Length)
            : File.OpenHandle(temp, FileMode.Open, FileAccess.Write))
        {
            if (data is { } d)
            {
                RandomAccess.Write(file, d.Span, 0);
            }

            RandomAccess.FlushToDisk(file);
        }

        cancellationToken.ThrowIfCancellationRequested();
        string directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        if (mode == PutMode.Overwrite)
        {
            File.Move(temp, path, overwrite: true);
        }
        else if (!PosixFiles.TryMoveNoReplace(temp, path))
        {
            throw new ObjectAlreadyExistsException(key);
        }

        // Published: from here a failure must not delete the staged name (it is the object now), only report.
        try
        {
            _directorySyncer.Sync(directory);
        }
        catch (IOException e)
        {
            throw new ObjectStoreException($"Writing object '{key}' failed: syncing its directory: {e.Message}", key, isTransient: false, e);
        }

        return true;
    }

    /// <summary>Copies a stream's content into a new staged file, asynchronously: the stream may be slow or remote.</summary>
    private static async Task StageAsync(string temp, Stream content, CancellationToken cancellationToken)
    {
        long length = content.CanSeek ? Math.Max(0, content.Length - content.Position) : 0;
        using SafeFileHandle file = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, length);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            long offset = 0;
            int read;
            while ((read = await content.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                RandomAccess.Write(file, chunk.AsSpan(0, read), offset);
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <inheritdoc />
    public Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        string path = PathOf(key);
        cancellationToken.ThrowIfCancellationRequested();
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(key, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ObjectStoreException($"Opening object '{key}' failed: {e.Message}", key, isTransient: false, e);
        }

        if (range is not { } r)
        {
            return Task.FromResult<Stream>(file);
        }

        long offset = Math.Min(r.Offset, file.Length);
        file.Position = offset;
        return Task.FromResult<Stream>(new BoundedReadStream(file, Math.Min(r.Length, file.Length - offset)));
    }

    /// <inheritdoc />
    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        string path = PathOf(key);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ObjectStoreException($"Deleting object '{key}' failed: {e.Message}", key, isTransient: false, e);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>A filesystem has no bulk delete: files are deleted one by one, 8 at a time.</remarks>
    public Task DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
        => BulkDelete.DeleteEachAsync(this, keys, BulkDelete.DefaultConcurrency, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        await Task.CompletedTask.ConfigureAwait(false);

        // Start at the deepest directory the prefix names, then filter by the full prefix as a string.
        int slash = prefix.LastIndexOf('/');
        string startDir = slash < 0 ? _root : Path.Combine(_root, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(startDir))
        {
            yield break;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0, ReturnSpecialDirectories = false };
        IEnumerable<FileInfo> files = new DirectoryInfo(startDir).EnumerateFiles("*", options);
        using IEnumerator<FileInfo> e = files.GetEnumerator();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            FileInfo file;
            try
            {
                if (!e.MoveNext())
                {
                    break;
                }

                file = e.Current;
            }
            catch (DirectoryNotFoundException)
            {
                break;
            }

            string relative = Path.GetRelativePath(_root, file.FullName);
            if (Path.DirectorySeparatorChar != '/')
            {
                relative = relative.Replace(Path.DirectorySeparatorChar, '/');
            }

            if (relative.StartsWith(StagingFolderName + "/", StringComparison.Ordinal)
                || !relative.StartsWith(prefix, StringComparison.Ordinal)
                || (startAfter is not null && string.CompareOrdinal(relative, startAfter) <= 0))
            {
                continue;
            }

            long length;
            DateTime modified;
            try
            {
                length = file.Length;
                modified = file.LastWriteTimeUtc;
            }
            catch (FileNotFoundException)
            {
                continue; // deleted while we listed
            }

            yield return new ObjectMeta(relative, length, new DateTimeOffset(modified, TimeSpan.Zero));
        }
    }

    /// <summary>Staged files older than <see cref="StaleStagedFileAge"/>, as <c>.objectlog-tmp/NAME</c>, oldest first.</summary>
    internal IReadOnlyList<string> FindStaleStagedFiles()
    {
        DateTime cutoff = _time.GetUtcNow().UtcDateTime - StaleStagedFileAge;
        var stale = new List<(DateTime Written, string Name)>();
        try
        {
            foreach (FileInfo file in new DirectoryInfo(_staging).EnumerateFiles("*.tmp"))
            {
                try
                {
                    if (file.LastWriteTimeUtc < cutoff)
                    {
                        stale.Add((file.LastWriteTimeUtc, $"{StagingFolderName}/{file.Name}"));
                    }
                }
                catch (FileNotFoundException)
                {
                    // published or removed while we looked
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // nothing was ever staged
        }

        return stale.OrderBy(s => s.Written).Select(s => s.Name).ToList();
    }

    /// <summary>Removes stale staged files (best effort: one that cannot be removed now is tried at the next sweep); returns how many went.</summary>
    internal int RemoveStaleStagedFiles()
    {
        int removed = 0;
        foreach (string name in FindStaleStagedFiles())
        {
            string path = Path.Combine(_staging, name[(StagingFolderName.Length + 1)..]);
            if (TryDelete(path))
            {
                removed++;
            }
        }

        return removed;
    }

    private void SweepStagedFilesIfDue()
    {
        long now = _time.GetUtcNow().UtcTicks;
        long due = Interlocked.Read(ref _nextSweep);
        // One put in a period sweeps; the others go on. The sweep is a listing of one folder that is normally empty.
        if (now >= due && Interlocked.CompareExchange(ref _nextSweep, now + StaleStagedFileAge.Ticks, due) == due)
        {
            RemoveStaleStagedFiles();
        }
    }

    private string PathOf(string key)
    {
        ObjectKey.Validate(key);
        if (key == StagingFolderName || key.StartsWith(StagingFolderName + "/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Invalid object key '{key}': '{StagingFolderName}' is reserved for staging writes.", nameof(key));
        }

        string path = Path.GetFullPath(Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar)));

        // ObjectKey already rules out '..', absolute paths and backslashes; this is the belt to those braces.
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Invalid object key '{key}': it resolves outside the store root.", nameof(key));
        }

        return path;
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
