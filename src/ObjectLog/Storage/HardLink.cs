using System.Runtime.InteropServices;

namespace ObjectLog.Storage;

/// <summary>Publishes a staged file under a new name only if that name is free, atomically.</summary>
internal static partial class HardLink
{
    private const int EEXIST = 17; // the same value on Linux and macOS

    /// <summary>
    /// Makes <paramref name="target"/> name the same file as <paramref name="source"/>; returns
    /// <see langword="false"/> if <paramref name="target"/> already exists.
    /// </summary>
    /// <remarks>
    /// <c>File.Move(…, overwrite: false)</c> is not enough on Unix: .NET checks for the target and then renames,
    /// so two racing writers can both "succeed". <c>link(2)</c> fails atomically with <c>EEXIST</c>. On Windows
    /// <c>MoveFileEx</c> without <c>MOVEFILE_REPLACE_EXISTING</c> is already atomic.
    /// </remarks>
    public static bool TryCreate(string source, string target)
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

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string oldpath, string newpath);
}
