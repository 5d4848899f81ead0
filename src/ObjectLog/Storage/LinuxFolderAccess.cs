using Microsoft.Win32.SafeHandles;
using static ObjectLog.Storage.LinuxFolder;

namespace ObjectLog.Storage;

/// <summary>
/// The folder access on Linux: every operation resolves its key under the root's real path without following a
/// link (see <see cref="LinuxFolder"/>), so a link swapped in at any moment is refused, never followed. A file is opened only once <c>statx</c> has said it is a regular file, and with
/// <c>O_NONBLOCK</c>, then checked again on the open descriptor: a FIFO, socket or device is never waited on.
/// </summary>
/// <remarks>
/// The root's own path may pass through links (where the store lives is its user's choice): it is resolved once,
/// when the store is made, and everything under it is resolved from that real path with no link allowed, which
/// costs a read no more calls than opening the file by its path would.
/// </remarks>
/// <param name="root">The root folder's absolute path.</param>
/// <param name="walkOnly">Never try <c>openat2</c> (tests: as on kernels before 5.6).</param>
internal sealed class LinuxFolderAccess(string root, bool walkOnly) : FolderAccess(root)
{
    /// <summary>The root with every link on its way resolved.</summary>
    private readonly string _real = RealPath(root) ?? root;

    public override (SafeFileHandle File, long Length) OpenRead(string key)
    {
        string action = $"Reading object '{key}'";

        // Look before opening: opening a device can have effects, and a FIFO or socket is not an object.
        if (Stat(Under(_real, key), out EntryStat before) == 0 && before.Kind != EntryKind.File)
        {
            throw FirstLink(_real, key) is { } link && link != key ? LinkRefused(action, key, link) : NotAFile(action, key, before.Kind);
        }

        int errno = OpenUnder(_real, key, ReadFlags, out int fd, walkOnly);
        if (errno != 0)
        {
            throw Failed(action, key, key, errno);
        }

        // Look again at what was opened: the name may have changed in between. O_NONBLOCK kept the open from waiting.
        errno = Stat(fd, out EntryStat opened);
        if (errno != 0 || opened.Kind != EntryKind.File)
        {
            Close(fd);
            throw errno != 0 ? Failed(action, key, key, errno) : NotAFile(action, key, opened.Kind);
        }

        AdviseSequential(fd);
        return (new SafeFileHandle(fd, ownsHandle: true), opened.Size);
    }

    public override (DateTime LastWriteUtc, long Size) Stamp(SafeFileHandle file)
    {
        int errno = Stat((int)file.DangerousGetHandle(), out EntryStat stat);
        return errno == 0 ? (stat.LastWriteUtc, stat.Size) : throw new IOException($"Reading a file's last write failed: {Describe(errno)}");
    }

    public override void Delete(string key)
    {
        string action = $"Deleting object '{key}'";
        int slash = key.LastIndexOf('/');
        int folder = -1;
        try
        {
            int errno = slash < 0 ? OpenAbsolute(_real, FolderPathFlags, out folder) : OpenUnder(_real, key[..slash], FolderPathFlags, out folder, walkOnly);
            if (errno is ENOENT or ENOTDIR)
            {
                return; // no such folder: no such object
            }

            if (errno != 0)
            {
                throw Failed(action, key, slash < 0 ? "" : key[..slash], errno);
            }

            string name = key[(slash + 1)..];
            int looked = Stat(folder, name, out EntryStat what);
            if (looked == ENOENT)
            {
                return;
            }

            if (looked != 0)
            {
                throw Failed(action, key, key, looked);
            }

            if (what.Kind != EntryKind.File)
            {
                throw NotAFile(action, key, what.Kind);
            }

            int removed = Unlink(folder, name);
            if (removed is not (0 or ENOENT))
            {
                throw Failed(action, key, key, removed);
            }
        }
        finally
        {
            if (folder >= 0)
            {
                Close(folder);
            }
        }
    }

    public override IEnumerable<FolderEntry> Walk(string prefix, string? startAfter, bool objects)
    {
        string start = StartOf(prefix);
        FolderReader? top = OpenStart(prefix, start);
        if (top is null)
        {
            yield break;
        }

        string rest = prefix[start.Length..];
        var open = new Stack<(FolderReader Reader, string Key, Func<string, EntryKind?, bool> Wanted)>();
        open.Push((top, start, Wanted(start)));
        try
        {
            while (open.TryPeek(out var current))
            {
                int errno = current.Reader.Next(current.Wanted, out string? name, out EntryStat stat);
                if (errno != 0)
                {
                    throw Unreadable(prefix, FullPath(name is null ? current.Key.TrimEnd('/') : current.Key + name), Describe(errno));
                }

                if (name is null)
                {
                    open.Pop().Reader.Dispose();
                    continue;
                }

                string key = current.Key + name;
                if (stat.Kind == EntryKind.Folder)
                {
                    int opened = FolderReader.Open(current.Reader.Fd, name, out FolderReader? child);
                    if (opened == 0)
                    {
                        open.Push((child!, key + "/", Wanted(key + "/")));
                        continue;
                    }

                    if (opened != ELOOP)
                    {
                        if (opened is ENOENT or ENOTDIR)
                        {
                            continue; // removed, or replaced by a file, since the folder was read
                        }

                        throw Unreadable(prefix, FullPath(key), Describe(opened));
                    }

                    stat = new EntryStat(EntryKind.SymbolicLink, 0, DateTime.MinValue); // replaced by a link since: not entered
                }

                if (objects == (stat.Kind == EntryKind.File) && (!objects || startAfter is null || string.CompareOrdinal(key, startAfter) > 0))
                {
                    yield return new FolderEntry(key, stat.Kind, stat.Size, stat.LastWriteUtc);
                }
            }
        }
        finally
        {
            foreach (var (reader, _, _) in open)
            {
                reader.Dispose();
            }
        }

        // Whether an entry of folderKey is worth a look: under the prefix, not the staging folder, and of a kind asked for.
        Func<string, EntryKind?, bool> Wanted(string folderKey)
        {
            bool inStart = folderKey.Length == start.Length;
            bool atRoot = folderKey.Length == 0;
            return (name, kind) =>
            {
                if ((inStart && !name.StartsWith(rest, StringComparison.Ordinal)) || (atRoot && name == FileSystemObjectStore.StagingFolderName))
                {
                    return false;
                }

                return kind switch
                {
                    EntryKind.Folder or null => true,
                    EntryKind.File => objects && (startAfter is null || string.CompareOrdinal(folderKey + name, startAfter) > 0),
                    _ => !objects,
                };
            };
        }
    }

    public override StagingFolder? OpenStaging(string? key, bool create)
    {
        string action = key is null ? "Writing" : $"Writing object '{key}'";
        int rootFd = OpenAbsolute(_real, FolderPathFlags, out int fd) == 0 ? fd : -1;
        if (rootFd < 0 && create)
        {
            Directory.CreateDirectory(_real); // removed since the store was made: a put makes it again, as the first did
            int errno = OpenAbsolute(_real, FolderPathFlags, out fd);
            rootFd = errno == 0 ? fd : throw new ObjectStoreException($"{action} failed: cannot open the store's folder '{Root}': {Describe(errno)}", key);
        }

        if (rootFd < 0)
        {
            return null;
        }

        try
        {
            string name = FileSystemObjectStore.StagingFolderName;
            int opened = OpenAt(rootFd, name, FolderPathFlags, out int staging);
            if (opened == ENOENT && create)
            {
                opened = MakeFolder(rootFd, name);
                opened = opened == 0 ? OpenAt(rootFd, name, FolderPathFlags, out staging) : opened;
            }

            if (opened == 0)
            {
                int held = rootFd;
                rootFd = -1; // the staging folder holds it now
                return new Staging(this, held, staging);
            }

            if (!create || opened == ENOENT)
            {
                return create ? throw new ObjectStoreException($"{action} failed: cannot make the staging folder '{StagingPath}': {Describe(opened)}", key) : null;
            }

            if (opened is ENOTDIR or ELOOP && Stat(rootFd, name, out EntryStat what) == 0)
            {
                throw StagingRefused(key, what.Kind);
            }

            throw new ObjectStoreException($"{action} failed: cannot open the staging folder '{StagingPath}': {Describe(opened)}", key);
        }
        finally
        {
            if (rootFd >= 0)
            {
                Close(rootFd);
            }
        }
    }

    /// <summary>
    /// Opens the folder the walk starts from, following no link below the root; <see langword="null"/> when it does
    /// not exist (an empty listing).
    /// </summary>
    private FolderReader? OpenStart(string prefix, string start)
    {
        FolderReader? reader;
        if (start.Length == 0)
        {
            int rootErrno = FolderReader.OpenAbsolute(_real, out reader);
            return rootErrno switch
            {
                0 => reader,
                ENOENT or ENOTDIR => null,
                _ => throw Unreadable(prefix, Root, Describe(rootErrno)),
            };
        }

        string folder = start[..^1];
        int errno = FolderReader.OpenUnder(_real, folder, out reader, walkOnly);
        return errno switch
        {
            0 => reader,
            ENOENT or ENOTDIR => null,
            ELOOP when FirstLink(_real, folder) is { } link => throw LinkRefused($"Listing '{prefix}'", null, link),
            _ => throw Unreadable(prefix, FullPath(folder), Describe(errno)),
        };
    }

    /// <summary>The exception for <paramref name="errno"/> from resolving <paramref name="path"/> (a key, or a key's folder) under the root.</summary>
    private ObjectStoreException Failed(string action, string key, string path, int errno) => errno switch
    {
        ENOENT or ENOTDIR => new ObjectNotFoundException(key),
        ELOOP when path.Length > 0 && FirstLink(_real, path) is { } link => link == key ? NotAFile(action, key, EntryKind.SymbolicLink) : LinkRefused(action, key, link),
        ENXIO => NotAFile(action, key, EntryKind.Socket),
        _ => new ObjectStoreException($"{action} failed: '{FullPath(path)}': {Describe(errno)}", key),
    };

    private sealed class Staging(LinuxFolderAccess folder, int root, int staging) : StagingFolder
    {
        private int _root = root;
        private int _staging = staging;

        public override SafeFileHandle Create(string name, long preallocationSize)
        {
            int errno = OpenAt(_staging, name, CreateFlags, out int fd, mode: 0x1B6); // 0666, less the umask
            return errno == 0
                ? new SafeFileHandle(fd, ownsHandle: true)
                : throw new IOException($"Creating the staged file '{Path.Combine(folder.StagingPath, name)}' failed: {Describe(errno)}");
        }

        public override SafeFileHandle Open(string name)
        {
            int errno = OpenAt(_staging, name, WriteFlags, out int fd);
            return errno == 0
                ? new SafeFileHandle(fd, ownsHandle: true)
                : throw new IOException($"Opening the staged file '{Path.Combine(folder.StagingPath, name)}' failed: {Describe(errno)}");
        }

        public override string Publish(string name, string key, PutMode mode)
        {
            string action = $"Writing object '{key}'";
            int slash = key.LastIndexOf('/');
            int target = _root;
            if (slash >= 0)
            {
                int errno = OpenFolder(_root, key[..slash], create: true, out target);
                if (errno != 0)
                {
                    throw errno == ELOOP && FirstLink(folder._real, key[..slash]) is { } link ? folder.LinkRefused(action, key, link)
                        : errno == ENOTDIR ? new ObjectStoreException($"{action} failed: a file that is not a folder is on its way ('{folder.FullPath(key)}').", key)
                        : new ObjectStoreException($"{action} failed: cannot make the folder '{folder.FullPath(key[..slash])}': {Describe(errno)}", key);
                }
            }

            try
            {
                string leaf = key[(slash + 1)..];
                int moved = mode == PutMode.Overwrite ? Rename(_staging, name, target, leaf) : RenameNoReplace(_staging, name, target, leaf);
                return moved switch
                {
                    0 => slash < 0 ? folder.Root : folder.FullPath(key[..slash]),
                    EEXIST when mode == PutMode.Create => throw new ObjectAlreadyExistsException(key),
                    EISDIR or EEXIST or ENOTDIR => throw new ObjectStoreException($"{action} failed: '{folder.FullPath(key)}' is a folder.", key),
                    _ => throw new IOException($"Publishing '{folder.FullPath(key)}' failed: {Describe(moved)}"),
                };
            }
            finally
            {
                if (target != _root)
                {
                    Close(target);
                }
            }
        }

        public override SafeFileHandle? TryLock(string name)
        {
            int errno = OpenAt(_staging, name, LockFileFlags, out int fd, mode: 0x1B6);
            if (errno != 0)
            {
                throw new IOException($"Opening the lock file '{Path.Combine(folder.StagingPath, name)}' failed: {Describe(errno)}");
            }

            var file = new SafeFileHandle(fd, ownsHandle: true);
            errno = Stat(fd, out EntryStat what);
            int locked = errno != 0 || what.Kind != EntryKind.File ? -1 : TryLockExclusive(fd);
            if (locked == 0)
            {
                return file;
            }

            file.Dispose();
            return locked == EWOULDBLOCK ? null
                : throw new IOException($"Locking '{Path.Combine(folder.StagingPath, name)}' failed: {(locked < 0 ? "it is not a regular file" : Describe(locked))}");
        }

        public override bool TryRemove(string name) => Unlink(_staging, name) == 0;

        public override List<(string Name, DateTime LastWriteUtc)> List()
        {
            var staged = new List<(string, DateTime)>();
            if (FolderReader.Open(_staging, ".", out FolderReader? reader) != 0 || reader is null)
            {
                return staged;
            }

            using (reader)
            {
                while (reader.Next(static (name, kind) => kind is EntryKind.File or null && name.EndsWith(".tmp", StringComparison.Ordinal), out string? name, out EntryStat stat) is 0 && name is not null)
                {
                    if (stat.Kind == EntryKind.File)
                    {
                        staged.Add((name, stat.LastWriteUtc));
                    }
                }
            }

            return staged;
        }

        public override void Dispose()
        {
            if (_staging >= 0)
            {
                Close(_staging);
                _staging = -1;
            }

            if (_root >= 0)
            {
                Close(_root);
                _root = -1;
            }
        }
    }
}
