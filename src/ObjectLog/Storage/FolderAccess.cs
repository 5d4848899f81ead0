using System.IO.Enumeration;
using Microsoft.Win32.SafeHandles;

namespace ObjectLog.Storage;

/// <summary>
/// How <see cref="FileSystemObjectStore"/> touches its folder without leaving it: opening, listing, publishing and
/// removing files beneath the root without following a symbolic link, and telling regular files (objects) from
/// everything else. <see cref="LinuxFolderAccess"/> does it race-free from folder descriptors;
/// <see cref="PortableFolderAccess"/> checks each name on the way with the .NET file APIs where those calls are
/// not available.
/// </summary>
/// <remarks>Every method throws <see cref="ObjectStoreException"/> (or a subclass) with a message naming the key, folder or file.</remarks>
internal abstract class FolderAccess
{
    protected FolderAccess(string root)
    {
        Root = root;
        RootWithSeparator = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
    }

    /// <summary>The root folder's absolute path.</summary>
    public string Root { get; }

    protected string RootWithSeparator { get; }

    public string StagingPath => FullPath(FileSystemObjectStore.StagingFolderName);

    /// <summary>The access for <paramref name="root"/>: the Linux one where it can run, unless told otherwise.</summary>
    public static FolderAccess For(string root, FolderAccessKind kind)
        => kind != FolderAccessKind.Portable && LinuxFolder.IsSupported
            ? new LinuxFolderAccess(root, walkOnly: kind == FolderAccessKind.LinuxWithoutOpenat2)
            : new PortableFolderAccess(root);

    /// <summary>Opens the regular file <paramref name="key"/> names, for reading; returns it and its length.</summary>
    /// <exception cref="ObjectNotFoundException">Nothing has that name.</exception>
    /// <exception cref="ObjectStoreException">It is not a regular file, lies under a link, or cannot be opened.</exception>
    public abstract (SafeFileHandle File, long Length) OpenRead(string key);

    /// <summary>Removes the regular file <paramref name="key"/> names; nothing there is not an error.</summary>
    /// <exception cref="ObjectStoreException">It is not a regular file, lies under a link, or cannot be removed.</exception>
    public abstract void Delete(string key);

    /// <summary>
    /// The entries under <paramref name="prefix"/>, walked from the deepest folder it names, never entering a link
    /// or the staging folder: with <paramref name="objects"/>, the regular files whose keys sort after
    /// <paramref name="startAfter"/>; without, everything that is neither a regular file nor a folder (links,
    /// FIFOs, sockets, devices). In no particular order.
    /// </summary>
    /// <exception cref="ObjectStoreException">A folder on the prefix's way is a link, or a folder or file under it cannot be read.</exception>
    public abstract IEnumerable<FolderEntry> Walk(string prefix, string? startAfter, bool objects);

    /// <summary>
    /// Opens the staging folder, creating it (and the root) if <paramref name="create"/>. Without
    /// <paramref name="create"/>, <see langword="null"/> when it is missing or not a real folder.
    /// </summary>
    /// <exception cref="ObjectStoreException"><paramref name="create"/> is set and the staging folder is a link or not a folder.</exception>
    public abstract StagingFolder? OpenStaging(string? key, bool create);

    public string FullPath(string key)
        => key.Length == 0 ? Root : RootWithSeparator + (Path.DirectorySeparatorChar == '/' ? key : key.Replace('/', Path.DirectorySeparatorChar));

    protected ObjectStoreException LinkRefused(string action, string? key, string link)
        => new($"{action} refused: '{link}' ({FullPath(link)}) is a symbolic link, and the folder store never follows one.", key);

    protected static ObjectStoreException NotAFile(string action, string key, EntryKind kind) => kind switch
    {
        EntryKind.Folder => new ObjectStoreException($"{action} failed: '{key}' is a folder, not an object.", key),
        EntryKind.SymbolicLink => new ObjectStoreException($"{action} refused: '{key}' is a symbolic link, and the folder store never follows one.", key),
        _ => new ObjectStoreException($"{action} refused: '{key}' is a {kind.Describe()}, not a regular file, and the folder store never opens one.", key),
    };

    protected ObjectStoreException Unreadable(string prefix, string path, string why)
        => new($"Listing '{prefix}' failed: cannot read '{path}': {why}", null);

    protected ObjectStoreException StagingRefused(string? key, EntryKind kind)
        => kind == EntryKind.SymbolicLink
            ? new($"Writing{(key is null ? "" : $" object '{key}'")} refused: the staging folder '{StagingPath}' is a symbolic link, and the folder store never writes through one. Remove the link; the next put creates the folder.", key)
            : new($"Writing{(key is null ? "" : $" object '{key}'")} failed: the staging folder '{StagingPath}' is a {kind.Describe()}, not a folder.", key);

    /// <summary>The folder that <paramref name="prefix"/>'s entries are walked from, as a key ending in <c>/</c> (or empty for the root).</summary>
    protected static string StartOf(string prefix)
    {
        int slash = prefix.LastIndexOf('/');
        return slash < 0 ? "" : prefix[..(slash + 1)];
    }
}

/// <summary>Which <see cref="FolderAccess"/> a store uses: the best the platform has, or (tests) one it would fall back to.</summary>
internal enum FolderAccessKind
{
    /// <summary>Linux's where it runs, else the portable one.</summary>
    Best,

    /// <summary>Linux's, walking one name at a time as on kernels without <c>openat2</c>.</summary>
    LinuxWithoutOpenat2,

    /// <summary>The portable one, as on Windows and macOS.</summary>
    Portable,
}

/// <summary>The staging folder, held open for one put (or one sweep): files are created, published and removed through it.</summary>
internal abstract class StagingFolder : IDisposable
{
    /// <summary>Creates the new staged file <paramref name="name"/> to write.</summary>
    public abstract SafeFileHandle Create(string name, long preallocationSize);

    /// <summary>Opens the staged file <paramref name="name"/> again, to write (to flush it).</summary>
    public abstract SafeFileHandle Open(string name);

    /// <summary>
    /// Moves the staged file <paramref name="name"/> to <paramref name="key"/> (creating its folders), replacing
    /// what is there for <see cref="PutMode.Overwrite"/>, never for <see cref="PutMode.Create"/>; returns the
    /// folder it landed in, to sync.
    /// </summary>
    /// <exception cref="ObjectAlreadyExistsException">A create-only put found the key taken.</exception>
    /// <exception cref="ObjectStoreException">A folder on the key's way is a link, or not a folder.</exception>
    public abstract string Publish(string name, string key, PutMode mode);

    /// <summary>Removes the staged file <paramref name="name"/>; whether it went.</summary>
    public abstract bool TryRemove(string name);

    /// <summary>The staged files (<c>*.tmp</c>, regular files only) and their last writes.</summary>
    public abstract List<(string Name, DateTime LastWriteUtc)> List();

    public abstract void Dispose();
}

/// <summary>
/// The folder access where the Linux calls are not available (Windows, macOS, other Unixes): each name on a key's
/// way is looked at (without following it) before the file is opened by path, and the listing never enters a
/// link. It cannot tell a FIFO, socket or device from a regular file, and a link swapped in between the look and
/// the open is followed.
/// </summary>
internal sealed class PortableFolderAccess(string root) : FolderAccess(root)
{
    private static readonly EnumerationOptions OneFolder = new() { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0, ReturnSpecialDirectories = false };

    public override (SafeFileHandle File, long Length) OpenRead(string key)
    {
        string action = $"Reading object '{key}'";
        if (Look(key, action) is { } refused)
        {
            throw refused;
        }

        try
        {
            SafeFileHandle file = File.OpenHandle(FullPath(key), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return (file, RandomAccess.GetLength(file));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(key, e);
        }
        catch (Exception e) when (e is IOException and not ObjectStoreException or UnauthorizedAccessException)
        {
            throw new ObjectStoreException($"Opening object '{key}' failed: {e.Message}", key, isTransient: false, e);
        }
    }

    public override void Delete(string key)
    {
        string action = $"Deleting object '{key}'";
        if (Look(key, action) is { } refused)
        {
            throw refused;
        }

        try
        {
            File.Delete(FullPath(key));
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ObjectStoreException($"Deleting object '{key}' failed: {e.Message}", key, isTransient: false, e);
        }
    }

    public override IEnumerable<FolderEntry> Walk(string prefix, string? startAfter, bool objects)
    {
        string start = StartOf(prefix);
        string rest = prefix[start.Length..];
        if (start.Length > 0)
        {
            string folder = start[..^1];
            if (FirstLink(folder) is { } link)
            {
                throw LinkRefused($"Listing '{prefix}'", null, link);
            }

            if (KindOf(folder) != EntryKind.Folder)
            {
                yield break;
            }
        }

        var pending = new Queue<string>([start]);
        while (pending.TryDequeue(out string? folderKey))
        {
            string path = FullPath(folderKey.TrimEnd('/'));
            IEnumerator<FolderEntry> entries;
            try
            {
                entries = new FileSystemEnumerable<FolderEntry>(path, (ref FileSystemEntry e) => Classify(ref e, folderKey), OneFolder).GetEnumerator();
            }
            catch (DirectoryNotFoundException)
            {
                continue; // removed while we listed
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Unreadable(prefix, path, e.Message);
            }

            using (entries)
            {
                while (true)
                {
                    FolderEntry entry;
                    try
                    {
                        if (!entries.MoveNext())
                        {
                            break;
                        }

                        entry = entries.Current;
                    }
                    catch (DirectoryNotFoundException)
                    {
                        break;
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        throw Unreadable(prefix, path, e.Message);
                    }

                    if (entry.Size < 0
                        || entry.Key == FileSystemObjectStore.StagingFolderName
                        || (folderKey.Length == start.Length && !entry.Key.AsSpan(folderKey.Length).StartsWith(rest, StringComparison.Ordinal)))
                    {
                        continue; // gone, the staging folder, or not under the prefix
                    }

                    if (entry.Kind == EntryKind.Folder)
                    {
                        pending.Enqueue(entry.Key + "/");
                    }
                    else if (objects == (entry.Kind == EntryKind.File) && (!objects || startAfter is null || string.CompareOrdinal(entry.Key, startAfter) > 0))
                    {
                        yield return entry;
                    }
                }
            }
        }
    }

    public override StagingFolder? OpenStaging(string? key, bool create)
    {
        EntryKind? kind = KindOf(FileSystemObjectStore.StagingFolderName);
        if (kind is not (null or EntryKind.Folder))
        {
            return create ? throw StagingRefused(key, kind.Value) : null;
        }

        if (kind is null)
        {
            if (!create)
            {
                return null;
            }

            Directory.CreateDirectory(StagingPath);
        }

        return new Staging(this);
    }

    private static FolderEntry Classify(ref FileSystemEntry entry, string folderKey)
    {
        FileAttributes attributes = entry.Attributes;
        string key = folderKey + entry.FileName.ToString();
        if (attributes == (FileAttributes)(-1))
        {
            return new FolderEntry(key, EntryKind.Unknown, -1, default); // gone since the folder was read
        }

        if ((attributes & FileAttributes.ReparsePoint) != 0 && IsLink(entry.ToFullPath()))
        {
            return new FolderEntry(key, EntryKind.SymbolicLink, 0, DateTime.MinValue);
        }

        return entry.IsDirectory
            ? new FolderEntry(key, EntryKind.Folder, 0, DateTime.MinValue)
            : new FolderEntry(key, EntryKind.File, entry.Length, entry.LastWriteTimeUtc.UtcDateTime);
    }

    /// <summary>On Unix a reparse point is a symbolic link; on Windows also a junction, but not a deduplicated or cloud file.</summary>
    private static bool IsLink(string path) => !OperatingSystem.IsWindows() || new FileInfo(path).LinkTarget is not null;

    /// <summary>What <paramref name="key"/> names, without following it; <see langword="null"/> if nothing.</summary>
    private EntryKind? KindOf(string key)
    {
        string path = FullPath(key);
        FileAttributes attributes;
        try
        {
            attributes = File.GetAttributes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return (attributes & FileAttributes.ReparsePoint) != 0 && IsLink(path) ? EntryKind.SymbolicLink
            : (attributes & FileAttributes.Directory) != 0 ? EntryKind.Folder
            : EntryKind.File;
    }

    /// <summary>The first name on <paramref name="key"/>'s way (itself included) that is a link; <see langword="null"/> if none.</summary>
    private string? FirstLink(string key)
    {
        for (int slash = key.IndexOf('/'); ; slash = key.IndexOf('/', slash + 1))
        {
            string part = slash < 0 ? key : key[..slash];
            EntryKind? kind = KindOf(part);
            if (kind == EntryKind.SymbolicLink)
            {
                return part;
            }

            if (slash < 0 || kind != EntryKind.Folder)
            {
                return null;
            }
        }
    }

    /// <summary>The refusal for a key that is a link or lies under one; <see langword="null"/> if it is neither.</summary>
    private ObjectStoreException? Look(string key, string action)
        => FirstLink(key) switch
        {
            null => null,
            string link when link == key => NotAFile(action, key, EntryKind.SymbolicLink),
            string link => LinkRefused(action, key, link),
        };

    private sealed class Staging(PortableFolderAccess folder) : StagingFolder
    {
        public override SafeFileHandle Create(string name, long preallocationSize)
            => File.OpenHandle(Path.Combine(folder.StagingPath, name), FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, preallocationSize);

        public override SafeFileHandle Open(string name) => File.OpenHandle(Path.Combine(folder.StagingPath, name), FileMode.Open, FileAccess.Write);

        public override string Publish(string name, string key, PutMode mode)
        {
            int slash = key.LastIndexOf('/');
            string action = $"Writing object '{key}'";
            if (slash >= 0 && folder.FirstLink(key[..slash]) is { } link)
            {
                throw folder.LinkRefused(action, key, link);
            }

            string temp = Path.Combine(folder.StagingPath, name);
            string path = folder.FullPath(key);
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

            return directory;
        }

        public override bool TryRemove(string name)
        {
            try
            {
                File.Delete(Path.Combine(folder.StagingPath, name));
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }

        public override List<(string Name, DateTime LastWriteUtc)> List()
        {
            var staged = new List<(string, DateTime)>();
            try
            {
                foreach (FileInfo file in new DirectoryInfo(folder.StagingPath).EnumerateFiles("*.tmp"))
                {
                    if ((file.Attributes & FileAttributes.ReparsePoint) == 0)
                    {
                        staged.Add((file.Name, file.LastWriteTimeUtc));
                    }
                }
            }
            catch (DirectoryNotFoundException)
            {
                // nothing was ever staged
            }

            return staged;
        }

        public override void Dispose()
        {
        }
    }
}
