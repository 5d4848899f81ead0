using System.Runtime.InteropServices;

namespace ObjectLog.Storage;

/// <summary>The Linux ABI <see cref="LinuxFolder"/> calls through: <c>errno</c> and flag values, the kernel structs it passes, and the libc imports.</summary>
internal static unsafe partial class LinuxFolder
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ENXIO = 6;
    public const int E2BIG = 7;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ENOSYS = 38;
    public const int ELOOP = 40;
    public const int EOPNOTSUPP = 95;

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int EWOULDBLOCK = 11;
    private const int O_CREAT = 0x40;
    private const int O_EXCL = 0x80;
    private const int O_NONBLOCK = 0x800;
    private const int O_CLOEXEC = 0x80000;
    private const int O_PATH = 0x200000;

    private const int AT_FDCWD = -100;
    private const int AT_SYMLINK_NOFOLLOW = 0x100;
    private const int AT_EMPTY_PATH = 0x1000;
    private const uint STATX_TYPE = 0x1;
    private const uint STATX_MTIME = 0x40;
    private const uint STATX_SIZE = 0x200;
    private const ulong RESOLVE_NO_MAGICLINKS = 0x02;
    private const ulong RESOLVE_NO_SYMLINKS = 0x04;
    private const long SYS_openat2 = 437; // one number on every architecture (added after the tables were unified)
    private const uint RENAME_NOREPLACE = 1;
    private const int POSIX_FADV_SEQUENTIAL = 2;
    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;

    private const byte DT_UNKNOWN = 0;
    private const byte DT_FIFO = 1;
    private const byte DT_CHR = 2;
    private const byte DT_DIR = 4;
    private const byte DT_BLK = 6;
    private const byte DT_REG = 8;
    private const byte DT_LNK = 10;
    private const byte DT_SOCK = 12;

    /// <summary>Where <c>struct dirent</c> keeps <c>d_type</c> and <c>d_name</c> on 64-bit Linux (glibc and musl alike).</summary>
    private const int DirentTypeOffset = 18;
    private const int DirentNameOffset = 19;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>The fields of <c>struct statx</c> used here (the kernel's layout, the same on every architecture).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(40)]
        public ulong Size;

        [FieldOffset(112)]
        public long MtimeSeconds;

        [FieldOffset(120)]
        public uint MtimeNanoseconds;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int openat(int dirfd, string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long openat2(long number, int dirfd, string path, OpenHow* how, nuint size);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, StatxBuffer* buffer);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int statx(int dirfd, byte* path, int flags, uint mask, StatxBuffer* buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkdirat(int dirfd, string path, uint mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unlinkat(int dirfd, string path, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int renameat(int olddirfd, string oldpath, int newdirfd, string newpath);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int linkat(int olddirfd, string oldpath, int newdirfd, string newpath, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint realpath(string path, nint resolved);

    [LibraryImport("libc")]
    private static partial void free(nint pointer);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int posix_fadvise(int fd, long offset, long length, int advice);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint fdopendir(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint readdir(nint dir);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int closedir(nint dir);
}
