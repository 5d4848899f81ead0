using System.Runtime.InteropServices;

namespace ObjectLog.Storage;

/// <summary>The two filesystem operations .NET has no atomic or durable form of: create-only publish, and syncing a directory.</summary>
internal static partial class PosixFiles
{
    private const int EEXIST = 17; // the same value on Linux and macOS
    private const int O_RDONLY = 0;
    private const int AT_FDCWD = -100; // Linux
    private const uint RENAME_NOREPLACE = 1; // Linux

    /// <summary>Cleared once renameat2 turns out to be missing or refused by the filesystem; link(2) then serves.</summary>
    private static volatile bool s_renameNoReplace = OperatingSystem.IsLinux();

    /// <summary>
    /// Moves <paramref name="source"/> to <paramref name="target"/> unless <paramref name="target"/> exists, in
    /// one atomic step; returns <see langword="false"/> (and leaves <paramref name="source"/>) if it exists.
    /// </summary>
    /// <remarks>
    /// On Linux this is <c>renameat2(RENAME_NOREPLACE)</c>: one metadata operation, where a link then an unlink
    /// of the staged name is two. Filesystems that refuse the flag (EINVAL) and old C libraries fall back to
    /// <see cref="TryLink"/> and an unlink.
    /// </remarks>
    public static bool TryMoveNoReplace(string source, string target)
    {
        if (s_renameNoReplace)
        {
            try
            {
                if (renameat2(AT_FDCWD, source, AT_FDCWD, target, RENAME_NOREPLACE) == 0)
                {
                    return true;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno == EEXIST)
                {
                    return false;
                }

                if (errno is not (22 or 38 or 95)) // EINVAL, ENOSYS, EOPNOTSUPP: not here; anything else is real
                {
                    throw new IOException($"renameat2('{source}', '{target}', RENAME_NOREPLACE) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
                }
            }
            catch (EntryPointNotFoundException)
            {
            }

            s_renameNoReplace = false;
        }

        if (!TryLink(source, target))
        {
            return false;
        }

        File.Delete(source);
        return true;
    }

    /// <summary>
    /// Makes <paramref name="target"/> name the same file as <paramref name="source"/>; returns
    /// <see langword="false"/> if <paramref name="target"/> already exists.
    /// </summary>
    /// <remarks>
    /// <c>File.Move(…, overwrite: false)</c> is not enough on Unix: .NET checks for the target and then renames,
    /// so two racing writers can both "succeed". <c>link(2)</c> fails atomically with <c>EEXIST</c>. On Windows
    /// <c>MoveFileEx</c> without <c>MOVEFILE_REPLACE_EXISTING</c> is already atomic.
    /// </remarks>
    public static bool TryLink(string source, string target)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(source, target, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(target))
            {
                return false;
            }
        }

        if (link(source, target) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == EEXIST)
        {
            return false;
        }

        throw new IOException($"link('{source}', '{target}') failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
    }

    /// <summary>
    /// Flushes a directory's entries to disk, so a file just published in it survives a power loss, not only a
    /// process crash. A no-op on Windows, where NTFS journals the rename itself.
    /// </summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd = open(directory, O_RDONLY);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"open('{directory}') to sync it failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
        }

        try
        {
            if (fsync(fd) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fsync of directory '{directory}' failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string oldpath, string newpath);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int close(int fd);
}
