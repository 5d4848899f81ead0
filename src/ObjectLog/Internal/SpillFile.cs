using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace ObjectLog.Internal;

/// <summary>
/// Scratch files for a compaction whose inputs do not fit in memory. A process killed mid-merge (<c>kill -9</c>, a
/// power cut) cannot delete its file, so every spill file lives in one folder, <see cref="DefaultFolder"/>, under a
/// name that says which process owns it: <c>objectlog-spill-{pid}-{start}-{id}.tmp</c>, where <c>start</c> is when
/// that process started (clock ticks since boot from <c>/proc/PID/stat</c> on Linux, else
/// <see cref="Process.StartTime"/> in UTC ticks). A file is stale when no process has that id, or the one that has it
/// started at another time (the id was reused). Creating a spill file first deletes the stale ones, and
/// <c>objlog verify</c> lists them.
/// </summary>
/// <remarks>
/// <para>
/// The folder is shared by every user of the machine, as the temp folder is: ObjectLog creates it sticky and writable
/// by all (mode 1777), and each file readable by its owner only (0600), since it holds a log's events. Another
/// user's stale file that the sticky bit protects is left alone. A file whose owner cannot be checked (its start time
/// is unreadable) counts as live: a sweep deletes only what it knows to be dead. Files with other names are never
/// touched.
/// </para>
/// <para>The file is opened with <see cref="FileOptions.DeleteOnClose"/>, so a process that lives deletes its own.</para>
/// </remarks>
internal static class SpillFile
{
    /// <summary>The folder's name under <see cref="Path.GetTempPath"/>.</summary>
    public const string FolderName = "objectlog-spill";

    private const string NameStart = "objectlog-spill-";
    private const string NameEnd = ".tmp";
    private const int BufferSize = 64 * 1024;

    private static readonly Lazy<long> SelfStart = new(() => StartOf(Environment.ProcessId) ?? 0);

    /// <summary>Where spill files live: <c>objectlog-spill</c> under the temp folder (<c>$TMPDIR</c> or <c>/tmp</c> on Unix).</summary>
    public static string DefaultFolder => Path.Combine(Path.GetTempPath(), FolderName);

    /// <summary>
    /// Creates a new spill file in <paramref name="folder"/> (<see cref="DefaultFolder"/> if <see langword="null"/>),
    /// open for reading and writing and deleted when closed, after deleting the stale files there.
    /// </summary>
    /// <exception cref="IOException">The folder or the file could not be created.</exception>
    /// <exception cref="UnauthorizedAccessException">This user may not write in the folder.</exception>
    public static FileStream Create(string? folder = null)
    {
        folder ??= DefaultFolder;
        CreateFolder(folder);
        Sweep(folder);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = BufferSize,
            Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(Path.Combine(folder, NameOf(Environment.ProcessId, SelfStart.Value)), options);
    }

    /// <summary>The full paths of the stale spill files in <paramref name="folder"/> (<see cref="DefaultFolder"/> if <see langword="null"/>), in ordinal order; empty if there is no such folder.</summary>
    public static IReadOnlyList<string> FindStale(string? folder = null)
    {
        folder ??= DefaultFolder;
        var stale = new List<string>();
        try
        {
            foreach (string path in Directory.EnumerateFiles(folder, NameStart + "*" + NameEnd))
            {
                if (TryParseOwner(Path.GetFileName(path), out int pid, out long start) && !IsRunning(pid, start))
                {
                    stale.Add(path);
                }
            }
        }
        catch (Exception e) when (e is DirectoryNotFoundException or UnauthorizedAccessException)
        {
            // No folder, or one this user may not list: nothing it could sweep.
        }

        stale.Sort(StringComparer.Ordinal);
        return stale;
    }

    /// <summary>Deletes the stale spill files in <paramref name="folder"/> that this user may delete; returns how many it deleted.</summary>
    public static int Sweep(string? folder = null)
    {
        int deleted = 0;
        foreach (string path in FindStale(folder))
        {
            try
            {
                File.Delete(path);
                deleted++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's (the sticky bit protects it), or gone already: not this process's to report.
            }
        }

        return deleted;
    }

    /// <summary>The name of a spill file owned by process <paramref name="pid"/> that started at <paramref name="start"/> (see <see cref="StartOf"/>).</summary>
    internal static string NameOf(int pid, long start)
        => string.Create(CultureInfo.InvariantCulture, $"{NameStart}{pid}-{start}-{Guid.NewGuid():N}{NameEnd}");

    /// <summary>
    /// When process <paramref name="pid"/> started, in the form spill file names carry: clock ticks since boot on
    /// Linux, UTC ticks elsewhere; <see langword="null"/> if no process has that id. 0 if it runs but its start
    /// cannot be read.
    /// </summary>
    internal static long? StartOf(int pid)
    {
        if (OperatingSystem.IsLinux() && Directory.Exists("/proc/self"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return 0; // it exists, but this user may not look: unknown
            }

            // pid (comm) state ppid …: comm may hold spaces and parentheses, so count fields after the last ')'.
            // starttime is field 22 of the line, the 20th after comm.
            string[] fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 19 && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks) ? ticks : 0;
        }

        try
        {
            using Process process = Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime().Ticks;
        }
        catch (ArgumentException)
        {
            return null; // no such process
        }
        catch (InvalidOperationException)
        {
            return null; // it has exited
        }
        catch (Exception e) when (e is Win32Exception or NotSupportedException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static bool IsRunning(int pid, long start)
        => StartOf(pid) switch
        {
            null => false,
            0 => true, // cannot tell: never sweep
            long running => start == 0 || running == start, // 0 in a name: its owner could not read its own start
        };

    private static bool TryParseOwner(string name, out int pid, out long start)
    {
        pid = 0;
        start = 0;
        string[] parts = name[NameStart.Length..^NameEnd.Length].Split('-');
        return parts.Length == 3
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out pid)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out start);
    }

    private static void CreateFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder); // the temp folder is per user there
            return;
        }

        const UnixFileMode Shared = UnixFileMode.StickyBit
            | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        Directory.CreateDirectory(folder, Shared);
        try
        {
            File.SetUnixFileMode(folder, Shared); // the umask took some bits away; a racing creator may own it instead
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
