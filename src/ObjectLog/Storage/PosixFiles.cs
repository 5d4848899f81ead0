using System.Runtime.InteropServices;

namespace ObjectLog.Storage;

/// <summary>The two filesystem operations .NET has no atomic or durable form of: create-only publish, and syncing a directory.</summary>
internal static partial class PosixFiles
{
    private const int EEXIST = 17; // the same value on Linux and macOS
    private const int O_RDONLY = 0;

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

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string oldpath, string newpath);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int close(int fd);
}
