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
/// <para>
/// The store stays inside its root. It never follows a symbolic link below the root (the root itself may be one:
/// where the store lives is its user's choice), never enters a linked folder, and never opens a FIFO, socket or
/// device. Only regular files are objects: listing returns regular files only, in no particular order, and walks
/// no link, so links, FIFOs, sockets and devices under a prefix are never read, merged or deleted by a log (an
/// <see cref="AppendLog"/> counts them among the objects that are not the log's in <see cref="AppendLog.VerifyAsync"/>,
/// and <c>objlog ls</c> shows them). A key that is such an entry, or whose way passes through a link, is neither
/// read, written nor deleted: the call throws an <see cref="ObjectStoreException"/> (not transient, never
/// <see cref="ObjectNotFoundException"/>) whose message names the key and the link or the kind of entry. A listing
/// whose prefix names a folder that is a link throws the same way, and so does a put while the staging folder is a
/// link (the staged-file sweep never runs there). A folder or file the process cannot read is an
/// <see cref="ObjectStoreException"/> naming it, never an empty listing.
/// </para>
/// <para>
/// On 64-bit Linux the root's own path is resolved once, when the store is made (links on the way to the root are
/// followed then, and only then); every key is resolved under that real path allowing no link (<c>openat2</c> with
/// <c>RESOLVE_NO_SYMLINKS</c>, or one name at a time from a descriptor of the root with <c>O_NOFOLLOW</c> where
/// the kernel lacks it), listing reads each folder from a descriptor opened the same way, and a file's type is
/// looked at (<c>statx</c>) before it is opened with <c>O_NONBLOCK</c> and checked again on the open descriptor: a
/// link swapped in at any moment is refused rather than followed, and a FIFO never makes a call wait. Elsewhere
/// (Windows, macOS) the store looks at each name on a key's way before using its path: links are still never
/// followed, entered or listed, but a FIFO or device is not told from a regular file, and a link swapped in between
/// the look and the use is followed.
/// </para>
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
public sealed partial class FileSystemObjectStore : IObjectStore
{
    /// <summary>The folder under the root where puts are staged; keys may not start with it.</summary>
    public const string StagingFolderName = ".objectlog-tmp";

    /// <summary>
    /// How long a staged file goes unwritten before the store takes it for a dead writer's and removes it. A live
    /// put's staged file is seconds old at most (see the remarks).
    /// </summary>
    public static readonly TimeSpan StaleStagedFileAge = TimeSpan.FromHours(1);

    private readonly string _root;
    private readonly FolderAccess _folder;
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

    /// <summary>
    /// As the public constructor, with a clock for the staged-file sweep, and (tests) the folder access that a
    /// platform or kernel without Linux's calls would fall back to (see the remarks).
    /// </summary>
    internal FileSystemObjectStore(string rootDirectory, TimeProvider time, FolderAccessKind access = FolderAccessKind.Best)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        _time = time;
        _root = Path.GetFullPath(rootDirectory);
        Directory.CreateDirectory(_root);
        _folder = FolderAccess.For(_root, access);
    }

    /// <summary>The absolute path of the root directory.</summary>
    public string RootDirectory => _root;

    /// <inheritdoc />
    public bool SupportsCreateOnly => true;

    /// <inheritdoc />
    /// <remarks>
    /// The kernel's clock, read as the modification time of a file just created in the staging folder: what every
    /// object written now is stamped with. Every process on this machine shares it, even one whose own view of the
    /// time is shifted (a test under <c>faketime</c>, a container with an offset). On Linux it is read with <c>statx</c>, as
    /// listings read <see cref="ObjectMeta.LastModified"/>: libfaketime shifts what <c>fstat</c> returns, not <c>statx</c>. Where the folder cannot be written
    /// (a read-only store, or a staging folder that is a link), it is this process's clock.
    /// </remarks>
    public ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using StagingFolder staging = _folder.OpenStaging(null, create: true)!;
            return ValueTask.FromResult(new DateTimeOffset(KernelNow(staging), TimeSpan.Zero));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ValueTask.FromResult(DateTimeOffset.UtcNow); // a read-only folder, or a staging folder that is a link
        }
    }

    /// <summary>The kernel's time now, as the stamp of a file created in <paramref name="staging"/> (see <see cref="GetTimeAsync"/>).</summary>
    private DateTime KernelNow(StagingFolder staging)
    {
        string probe = $"{Guid.NewGuid():N}.tmp";
        DateTime stamped;
        using (SafeFileHandle file = staging.Create(probe, 0))
        {
            stamped = _folder.Stamp(file).LastWriteUtc;
        }

        staging.TryRemove(probe);
        return stamped;
    }

    /// <inheritdoc />
    public async Task PutAsync(string key, Stream content, PutMode mode, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        ArgumentNullException.ThrowIfNull(content);
        VersionedPut.RefuseUpdate(mode);
        StagingFolder staging = Wrap(key, () => _folder.OpenStaging(key, create: true)!);
        using (staging)
        {
            SweepStagedFilesIfDue(staging);
            string temp = $"{Guid.NewGuid():N}.tmp";
            bool published = false;
            try
            {
                if (content is ReadOnlyMemoryStream memory)
                {
                    // All of it blocks (write, fsync, rename, directory fsync), so it runs on a file I/O thread, not the
                    // pool's: several puts at once would otherwise hold pool threads through their fsyncs.
                    cancellationToken.ThrowIfCancellationRequested();
                    await BlockingIoThreads.RunAsync(() => published = WriteAndPublish(staging, temp, memory.Remaining, mode, key, cancellationToken)).ConfigureAwait(false);
                }
                else
                {
                    await StageAsync(staging, temp, content, cancellationToken).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    await BlockingIoThreads.RunAsync(() => published = WriteAndPublish(staging, temp, null, mode, key, cancellationToken)).ConfigureAwait(false);
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
                    staging.TryRemove(temp);
                }
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="data"/> (if given) to the staged file, flushes it to disk, publishes it under
    /// <paramref name="key"/> and syncs the directory. Returns <see langword="true"/> once published.
    /// <paramref name="stamp"/>, if given, is called with the written file before it is flushed, to set its last
    /// write (a versioned put); without it the file keeps the kernel's stamp.
    /// </summary>
    private bool WriteAndPublish(StagingFolder staging, string temp, ReadOnlyMemory<byte>? data, PutMode mode, string key, CancellationToken cancellationToken, Action<SafeFileHandle>? stamp = null)
    {
        using (SafeFileHandle file = data is { } bytes
            ? staging.Create(temp, bytes.Length)
            : staging.Open(temp))
        {
            if (data is { } d)
            {
                RandomAccess.Write(file, d.Span, 0);
            }

            stamp?.Invoke(file);
            RandomAccess.FlushToDisk(file);
        }

        cancellationToken.ThrowIfCancellationRequested();
        string directory = staging.Publish(temp, key, mode);

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
    private static async Task StageAsync(StagingFolder staging, string temp, Stream content, CancellationToken cancellationToken)
    {
        long length = content.CanSeek ? Math.Max(0, content.Length - content.Position) : 0;
        using SafeFileHandle file = staging.Create(temp, length);
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
    /// <remarks>
    /// A key that is a symbolic link, FIFO, socket or device, or whose way passes through a link, throws an
    /// <see cref="ObjectStoreException"/> naming it, without opening it (see the class remarks).
    /// </remarks>
    public Task<Stream> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        (SafeFileHandle handle, long length) = Wrap(key, () => _folder.OpenRead(key));
        var file = new FileStream(handle, FileAccess.Read, 1);
        if (range is not { } r)
        {
            return Task.FromResult<Stream>(file);
        }

        long offset = Math.Min(r.Offset, length);
        file.Position = offset;
        return Task.FromResult<Stream>(new BoundedReadStream(file, Math.Min(r.Length, length - offset)));
    }

    /// <inheritdoc />
    /// <remarks>A key that is not a regular file, or whose way passes through a link, is not deleted: the call throws (see the class remarks).</remarks>
    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        Wrap(key, () =>
        {
            _folder.Delete(key);
            return true;
        });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>A filesystem has no bulk delete: files are deleted one by one, 8 at a time.</remarks>
    public Task DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
        => BulkDelete.DeleteEachAsync(this, keys, BulkDelete.DefaultConcurrency, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Regular files only, never through a link (see the class remarks); <see cref="FindSpecialEntries"/> tells what else is there.</remarks>
    public async IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, string? startAfter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (FolderEntry entry in _folder.Walk(prefix, startAfter, objects: true))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ObjectMeta(entry.Key, entry.Size, new DateTimeOffset(entry.LastWriteUtc, TimeSpan.Zero)) { Version = VersionOf(entry.LastWriteUtc, entry.Size) };
        }
    }

    /// <summary>
    /// What is under <paramref name="prefix"/> that listing leaves out because it is not a regular file: symbolic
    /// links (to files or folders, dangling or looping), FIFOs, sockets and devices, each with what it is
    /// ("symbolic link", "FIFO"…), in key order. None of them is opened or followed to find this.
    /// </summary>
    /// <param name="prefix">The key prefix to look under, as for <see cref="ListAsync"/>.</param>
    /// <returns>Each entry's key and what it is.</returns>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> is not a valid key prefix.</exception>
    /// <exception cref="ObjectStoreException">As for <see cref="ListAsync"/>: a folder on the prefix's way is a link, or one under it cannot be read.</exception>
    public IReadOnlyList<(string Key, string What)> FindSpecialEntries(string prefix)
    {
        ObjectKey.ValidatePrefix(prefix);
        return _folder.Walk(prefix, null, objects: false)
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => (e.Key, e.Kind.Describe()))
            .ToList();
    }

    /// <summary>Staged files older than <see cref="StaleStagedFileAge"/>, as <c>.objectlog-tmp/NAME</c>, oldest first; none while the staging folder is a link.</summary>
    internal IReadOnlyList<string> FindStaleStagedFiles()
    {
        using StagingFolder? staging = _folder.OpenStaging(null, create: false);
        return staging is null ? [] : [.. StaleIn(staging).Select(name => $"{StagingFolderName}/{name}")];
    }

    /// <summary>Removes stale staged files (best effort: one that cannot be removed now is tried at the next sweep); returns how many went.</summary>
    internal int RemoveStaleStagedFiles()
    {
        using StagingFolder? staging = _folder.OpenStaging(null, create: false);
        return staging is null ? 0 : RemoveStaleIn(staging);
    }

    private int RemoveStaleIn(StagingFolder staging) => StaleIn(staging).Count(staging.TryRemove);

    private List<string> StaleIn(StagingFolder staging)
    {
        // Staged files are stamped by the kernel, so "an hour old" is measured on its clock, not this process's: one
        // whose clock is an hour fast must not take another writer's staged file for a dead one's. (A test's own
        // TimeProvider stands for both.)
        DateTime now = _time.GetUtcNow().UtcDateTime;
        if (ReferenceEquals(_time, TimeProvider.System))
        {
            try
            {
                now = KernelNow(staging);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // a folder this process cannot write: its own clock, the best there is
            }
        }

        DateTime cutoff = now - StaleStagedFileAge;
        return [.. staging.List().Where(s => s.LastWriteUtc < cutoff).OrderBy(s => s.LastWriteUtc).Select(s => s.Name)];
    }

    private void SweepStagedFilesIfDue(StagingFolder staging)
    {
        long now = _time.GetUtcNow().UtcTicks;
        long due = Interlocked.Read(ref _nextSweep);
        // One put in a period sweeps; the others go on. The sweep is a listing of one folder that is normally empty.
        if (now >= due && Interlocked.CompareExchange(ref _nextSweep, now + StaleStagedFileAge.Ticks, due) == due)
        {
            RemoveStaleIn(staging);
        }
    }

    /// <summary>Runs a folder call, turning the .NET file errors it may let through into the store's.</summary>
    private static T Wrap<T>(string key, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (e is IOException and not ObjectStoreException or UnauthorizedAccessException)
        {
            throw new ObjectStoreException($"Object '{key}': {e.Message}", key, isTransient: false, e);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> for a key that is not valid here (the staging folder's included).</summary>
    private void ValidateKey(string key)
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
    }
}
