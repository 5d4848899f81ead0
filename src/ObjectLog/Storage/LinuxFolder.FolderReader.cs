using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ObjectLog.Storage;

internal static unsafe partial class LinuxFolder
{
    /// <summary>
    /// Reads one folder's entries from a descriptor the reader owns (closing the reader closes it). Each entry
    /// comes with the type the directory itself records, so links, FIFOs, sockets and devices cost no call.
    /// </summary>
    /// <remarks>A safe handle, so a reader that is never disposed (a listing abandoned without disposing it) still closes its descriptor.</remarks>
    public sealed class FolderReader : SafeHandleZeroOrMinusOneIsInvalid
    {
        private FolderReader(nint dir, int fd)
            : base(ownsHandle: true)
        {
            SetHandle(dir);
            Fd = fd;
        }

        /// <summary>The folder's descriptor, to resolve its entries' names from.</summary>
        public int Fd { get; }

        /// <summary>Opens <paramref name="name"/> in <paramref name="folder"/> for reading, never following a link.</summary>
        public static int Open(int folder, string name, out FolderReader? reader)
        {
            int errno = OpenAt(folder, name, FolderReadFlags, out int fd);
            if (errno is ENOTDIR or ELOOP)
            {
                errno = Stat(folder, name, out EntryStat what) == 0 && what.Kind == EntryKind.SymbolicLink ? ELOOP : errno;
            }

            return errno != 0 ? Fail(out reader, errno) : Adopt(fd, out reader);
        }

        /// <summary>Opens an absolute folder path for reading (the root, which may be a link of the user's making).</summary>
        public static int OpenAbsolute(string path, out FolderReader? reader)
            => LinuxFolder.OpenAbsolute(path, FolderReadFlags, out int fd) is int errno && errno != 0 ? Fail(out reader, errno) : Adopt(fd, out reader);

        /// <summary>Reads <paramref name="relative"/> under <paramref name="realRoot"/>, following no link on the way (see <see cref="OpenUnder"/>).</summary>
        public static int OpenUnder(string realRoot, string relative, out FolderReader? reader, bool walkOnly = false)
            => LinuxFolder.OpenUnder(realRoot, relative, FolderReadFlags, out int fd, walkOnly) is int errno && errno != 0 ? Fail(out reader, errno) : Adopt(fd, out reader);

        private static int Adopt(int fd, out FolderReader? reader)
        {
            nint dir = fdopendir(fd);
            if (dir == 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                LinuxFolder.Close(fd);
                return Fail(out reader, errno);
            }

            reader = new FolderReader(dir, fd); // the DIR owns the descriptor now
            return 0;
        }

        private static int Fail(out FolderReader? reader, int errno)
        {
            reader = null;
            return errno;
        }

        /// <summary>
        /// The next entry (never <c>.</c> or <c>..</c>): its name and kind, and for a regular file its size and
        /// last write (one <c>statx</c>, which also catches a name whose type changed since). A name that is gone
        /// by then is skipped. <paramref name="wanted"/> says, from the name and its recorded kind (<see langword="null"/>
        /// when the folder does not record it), whether the caller wants it at all; what it does not want costs no call.
        /// Returns 0 and <paramref name="name"/> <see langword="null"/> at the end, or an errno.
        /// </summary>
        public int Next(Func<string, EntryKind?, bool> wanted, out string? name, out EntryStat stat)
        {
            while (true)
            {
                Marshal.SetLastPInvokeError(0);
                byte* entry = (byte*)readdir(handle);
                if (entry is null)
                {
                    name = null;
                    stat = default;
                    return Marshal.GetLastPInvokeError();
                }

                byte* rawName = entry + DirentNameOffset;
                if (rawName[0] == '.' && (rawName[1] == 0 || (rawName[1] == '.' && rawName[2] == 0)))
                {
                    continue;
                }

                name = Marshal.PtrToStringUTF8((nint)rawName)!;
                EntryKind? recorded = entry[DirentTypeOffset] switch
                {
                    DT_REG => EntryKind.File,
                    DT_DIR => EntryKind.Folder,
                    DT_LNK => EntryKind.SymbolicLink,
                    DT_FIFO => EntryKind.Fifo,
                    DT_SOCK => EntryKind.Socket,
                    DT_CHR => EntryKind.CharacterDevice,
                    DT_BLK => EntryKind.BlockDevice,
                    DT_UNKNOWN => null,
                    _ => EntryKind.Unknown,
                };
                if (!wanted(name, recorded))
                {
                    continue;
                }

                if (recorded is EntryKind.File or null)
                {
                    int errno = Stat(Fd, rawName, out stat);
                    if (errno == ENOENT)
                    {
                        continue; // removed while we listed
                    }

                    return errno;
                }

                stat = new EntryStat(recorded.Value, 0, DateTime.MinValue);
                return 0;
            }
        }

        protected override bool ReleaseHandle() => closedir(handle) == 0;
    }
}
