using System.IO.Enumeration;
using Microsoft.Win32.SafeHandles;

namespace ObjectLog.Storage;

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

        public override SafeFileHandle? TryLock(string name)
        {
            string path = Path.Combine(folder.StagingPath, name);
            if (folder.KindOf(Path.Combine(FileSystemObjectStore.StagingFolderName, name)) is { } kind and not EntryKind.File)
            {
                throw new IOException($"Locking '{path}' failed: it is a {kind.Describe()}, not a regular file.");
            }

            try
            {
                // FileShare.None is the lock: a share mode on Windows, an exclusive flock on Unix.
                return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException))
            {
                return null; // held by another open: a sharing violation (other failures show as the wait running out)
            }
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
