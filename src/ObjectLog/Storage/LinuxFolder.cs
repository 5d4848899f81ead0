using System.Runtime.InteropServices;

namespace ObjectLog.Storage;

/// <summary>
/// The Linux calls the folder store uses to stay beneath its root: every path under the root is resolved by
/// <c>openat2(RESOLVE_NO_SYMLINKS)</c> from the root's real path, or one name at a time from a folder's descriptor
/// with <c>O_NOFOLLOW</c>, so no symbolic link is ever followed; an entry's type comes from <c>statx</c> or the
/// directory entry itself, so a FIFO, socket or device is told apart without being opened.
/// </summary>
/// <remarks>
/// Every method returns 0 or an <c>errno</c> value; callers turn those into the store's exceptions. Descriptors
/// are plain <see cref="int"/>s: whoever opens one closes it with <see cref="Close"/>.
/// </remarks>
internal static unsafe partial class LinuxFolder
{
    /// <summary><c>O_DIRECTORY</c> and <c>O_NOFOLLOW</c>, whose values differ between architectures.</summary>
    private static readonly (int Directory, int NoFollow)? ArchitectureFlags = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.S390x or Architecture.RiscV64 or Architecture.LoongArch64 => (0x10000, 0x20000),
        Architecture.Arm64 or Architecture.Ppc64le => (0x4000, 0x8000),
        _ => null,
    };

    private static readonly int O_DIRECTORY = ArchitectureFlags?.Directory ?? 0;
    private static readonly int O_NOFOLLOW = ArchitectureFlags?.NoFollow ?? 0;

    /// <summary>Cleared once openat2 turns out to be missing (kernels before 5.6) or filtered (some container profiles); the walk then serves.</summary>
    private static volatile bool s_openat2 = true;

    /// <summary>Cleared once renameat2 turns out to be missing or refused by the filesystem; link then unlink serves.</summary>
    private static volatile bool s_renameNoReplace = true;

    /// <summary>Whether this process can use these calls: 64-bit Linux on an architecture whose flags are known, with statx.</summary>
    public static bool IsSupported { get; } = Probe();

    /// <summary>Flags to open a regular file for reading: never through a final link, never waiting on a FIFO.</summary>
    public static int ReadFlags => O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;

    /// <summary>Flags to hold a folder to resolve names from (no read permission needed).</summary>
    public static int FolderPathFlags => O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

    /// <summary>Flags to open a folder to list it.</summary>
    public static int FolderReadFlags => O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

    /// <summary>Flags to open an existing file to write, never through a link.</summary>
    public static int WriteFlags => O_WRONLY | O_NOFOLLOW | O_CLOEXEC;

    /// <summary>Flags to create a new file to write, failing if the name exists (as a link too).</summary>
    public static int CreateFlags => O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;

    /// <summary>Opening (or creating) a lock file: never through a link, never waiting on a FIFO.</summary>
    public static int LockFileFlags => O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess || ArchitectureFlags is null)
        {
            return false;
        }

        try
        {
            return Stat(AT_FDCWD, "/", out _) == 0;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false; // a C library without statx (glibc before 2.28)
        }
    }

    /// <summary>Opens the absolute <paramref name="path"/> (the root: links on its way are the user's choice, and followed).</summary>
    public static int OpenAbsolute(string path, int flags, out int fd) => Result(openat(AT_FDCWD, path, flags & ~O_NOFOLLOW, 0), out fd);

    /// <summary>Opens one name in <paramref name="folder"/>, never following it if it is a link.</summary>
    public static int OpenAt(int folder, string name, int flags, out int fd, uint mode = 0) => Result(openat(folder, name, flags | O_NOFOLLOW, mode), out fd);

    /// <summary>
    /// Opens <paramref name="relative"/> (a key or a key's folder: names separated by <c>/</c>, none empty, <c>.</c>
    /// or <c>..</c>) under <paramref name="realRoot"/> (a path with no link on its way, as <see cref="RealPath"/>
    /// gives), following no link on the way or at the end: a link anywhere gives <see cref="ELOOP"/>, a regular
    /// file where a folder should be <see cref="ENOTDIR"/>. One <c>openat2(RESOLVE_NO_SYMLINKS)</c> call where the
    /// kernel has it; else the root is opened and walked one name at a time.
    /// </summary>
    public static int OpenUnder(string realRoot, string relative, int flags, out int fd, bool walkOnly = false)
    {
        if (s_openat2 && !walkOnly)
        {
            var how = new OpenHow { Flags = (ulong)(uint)flags, Mode = 0, Resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
            long result;
            try
            {
                result = openat2(SYS_openat2, AT_FDCWD, Under(realRoot, relative), &how, (nuint)sizeof(OpenHow));
            }
            catch (EntryPointNotFoundException)
            {
                result = -1;
                Marshal.SetLastPInvokeError(ENOSYS);
            }

            if (result >= 0)
            {
                fd = (int)result;
                return 0;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno is not (ENOSYS or EPERM or E2BIG))
            {
                fd = -1;
                // O_DIRECTORY on a final link says ENOTDIR, not ELOOP: look, so a link is always ELOOP.
                return errno == ENOTDIR && FirstLink(realRoot, relative) is not null ? ELOOP : errno;
            }

            s_openat2 = false; // not this kernel, or a filter refuses the call: every later open walks
        }

        int rootErrno = OpenAbsolute(realRoot, FolderPathFlags, out int root);
        if (rootErrno != 0)
        {
            fd = -1;
            return rootErrno;
        }

        try
        {
            return Walk(root, relative, flags, create: false, out fd);
        }
        finally
        {
            Close(root);
        }
    }

    /// <summary>The path of <paramref name="relative"/> under <paramref name="realRoot"/>.</summary>
    public static string Under(string realRoot, string relative) => realRoot.EndsWith('/') ? realRoot + relative : $"{realRoot}/{relative}";

    /// <summary><paramref name="path"/> with every link on its way resolved (<c>realpath</c>); <see langword="null"/> if that fails.</summary>
    public static string? RealPath(string path)
    {
        nint resolved = realpath(path, 0);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            free(resolved);
        }
    }

    /// <summary>
    /// Opens the folder <paramref name="relative"/> beneath <paramref name="root"/> one name at a time with
    /// <c>O_NOFOLLOW</c>, creating what is missing if <paramref name="create"/>. A link on the way gives
    /// <see cref="ELOOP"/>, a file that is not a folder <see cref="ENOTDIR"/>.
    /// </summary>
    public static int OpenFolder(int root, string relative, bool create, out int fd) => Walk(root, relative, FolderPathFlags, create, out fd);

    /// <summary>Opens each folder on the way with <c>O_NOFOLLOW</c>, then the last name with <paramref name="flags"/>.</summary>
    private static int Walk(int root, string relative, int flags, bool create, out int fd)
    {
        fd = -1;
        int current = root;
        int start = 0;
        while (true)
        {
            int slash = relative.IndexOf('/', start);
            bool last = slash < 0;
            string name = last ? relative[start..] : relative[start..slash];
            int nameFlags = last ? flags : FolderPathFlags;
            int errno = OpenAt(current, name, nameFlags, out int next);
            if (errno == ENOENT && create && (!last || (flags & O_DIRECTORY) != 0))
            {
                errno = MakeFolder(current, name);
                if (errno == 0)
                {
                    errno = OpenAt(current, name, nameFlags, out next);
                }
            }

            if (errno is ENOTDIR or ELOOP)
            {
                // O_NOFOLLOW with O_DIRECTORY or O_PATH says ENOTDIR for a link, O_NOFOLLOW alone ELOOP: look.
                errno = Stat(current, name, out EntryStat what) == 0 && what.Kind == EntryKind.SymbolicLink ? ELOOP : errno;
            }

            if (current != root)
            {
                Close(current);
            }

            if (errno != 0)
            {
                return errno;
            }

            if (last)
            {
                fd = next;
                return 0;
            }

            current = next;
            start = slash + 1;
        }
    }

    /// <summary>The first name on <paramref name="relative"/>'s way under <paramref name="realRoot"/> (itself included) that is a symbolic link, as a root-relative path; <see langword="null"/> if none is.</summary>
    public static string? FirstLink(string realRoot, string relative)
    {
        for (int slash = relative.IndexOf('/'); ; slash = relative.IndexOf('/', slash + 1))
        {
            string part = slash < 0 ? relative : relative[..slash];
            if (Stat(AT_FDCWD, Under(realRoot, part), out EntryStat what) != 0)
            {
                return null;
            }

            if (what.Kind == EntryKind.SymbolicLink)
            {
                return part;
            }

            if (slash < 0 || what.Kind != EntryKind.Folder)
            {
                return null;
            }
        }
    }

    /// <summary>What the absolute <paramref name="path"/> is, without following it if it is a link (links on its way are followed).</summary>
    public static int Stat(string path, out EntryStat stat) => Stat(AT_FDCWD, path, out stat);

    /// <summary>What <paramref name="path"/> (relative to <paramref name="folder"/>) is, without following it if it is a link.</summary>
    public static int Stat(int folder, string path, out EntryStat stat)
    {
        StatxBuffer buffer;
        int result = statx(folder, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_SIZE | STATX_MTIME, &buffer);
        return StatResult(result, &buffer, out stat);
    }

    /// <summary>What an open descriptor is.</summary>
    public static int Stat(int fd, out EntryStat stat)
    {
        StatxBuffer buffer;
        int result = statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE | STATX_MTIME, &buffer);
        return StatResult(result, &buffer, out stat);
    }

    private static int Stat(int folder, byte* name, out EntryStat stat)
    {
        StatxBuffer buffer;
        int result = statx(folder, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_SIZE | STATX_MTIME, &buffer);
        return StatResult(result, &buffer, out stat);
    }

    private static int StatResult(int result, StatxBuffer* buffer, out EntryStat stat)
    {
        if (result != 0)
        {
            stat = default;
            return Marshal.GetLastPInvokeError();
        }

        EntryKind kind = KindOfMode(buffer->Mode);
        stat = kind == EntryKind.File
            ? new EntryStat(kind, (long)buffer->Size, DateTime.UnixEpoch.AddTicks((buffer->MtimeSeconds * TimeSpan.TicksPerSecond) + (buffer->MtimeNanoseconds / 100)))
            : new EntryStat(kind, 0, DateTime.MinValue);
        return 0;
    }

    private static EntryKind KindOfMode(ushort mode) => (mode & 0xF000) switch
    {
        0x8000 => EntryKind.File,
        0x4000 => EntryKind.Folder,
        0xA000 => EntryKind.SymbolicLink,
        0x1000 => EntryKind.Fifo,
        0xC000 => EntryKind.Socket,
        0x2000 => EntryKind.CharacterDevice,
        0x6000 => EntryKind.BlockDevice,
        _ => EntryKind.Unknown,
    };

    /// <summary>Creates the folder <paramref name="name"/> in <paramref name="folder"/>; an existing one is not an error.</summary>
    public static int MakeFolder(int folder, string name)
    {
        if (mkdirat(folder, name, 0x1FF) == 0)
        {
            return 0;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno == EEXIST ? 0 : errno;
    }

    /// <summary>Removes the name <paramref name="name"/> from <paramref name="folder"/> (a link is removed, never followed).</summary>
    public static int Unlink(int folder, string name) => unlinkat(folder, name, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Renames, replacing what <paramref name="toName"/> names (a link is replaced, never followed).</summary>
    public static int Rename(int fromFolder, string fromName, int toFolder, string toName)
        => renameat(fromFolder, fromName, toFolder, toName) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>
    /// Renames unless <paramref name="toName"/> exists, atomically: <c>renameat2(RENAME_NOREPLACE)</c>, or, where
    /// the filesystem refuses that flag, <c>linkat</c> then an unlink of the old name. <see cref="EEXIST"/> if it exists.
    /// </summary>
    public static int RenameNoReplace(int fromFolder, string fromName, int toFolder, string toName)
    {
        if (s_renameNoReplace)
        {
            try
            {
                if (renameat2(fromFolder, fromName, toFolder, toName, RENAME_NOREPLACE) == 0)
                {
                    return 0;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno is not (EINVAL or ENOSYS or EOPNOTSUPP))
                {
                    return errno;
                }
            }
            catch (EntryPointNotFoundException)
            {
            }

            s_renameNoReplace = false;
        }

        if (linkat(fromFolder, fromName, toFolder, toName, 0) != 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        _ = unlinkat(fromFolder, fromName, 0);
        return 0;
    }

    /// <summary>Tells the kernel a file will be read from start to end (what <see cref="FileOptions.SequentialScan"/> does).</summary>
    public static void AdviseSequential(int fd) => _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

    public static void Close(int fd) => _ = close(fd);

    /// <summary>Takes an exclusive <c>flock</c> on <paramref name="fd"/> without waiting: 0, or <see cref="EWOULDBLOCK"/> while another open file holds it.</summary>
    public static int TryLockExclusive(int fd) => flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    private static int Result(int result, out int fd)
    {
        fd = result;
        return result >= 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>The kind of an entry and, for a regular file, its size and last write.</summary>
    internal readonly record struct EntryStat(EntryKind Kind, long Size, DateTime LastWriteUtc);
}
