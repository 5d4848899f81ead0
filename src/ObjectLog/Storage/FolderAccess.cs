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

    /// <summary>
    /// An open file's last write and length, read from the descriptor: on Linux with <c>statx</c>, as listings read
    /// them, so a version made from them matches the listing's (libfaketime shifts <c>fstat</c>, not <c>statx</c>).
    /// </summary>
    public virtual (DateTime LastWriteUtc, long Size) Stamp(SafeFileHandle file)
        => (File.GetLastWriteTimeUtc(file), RandomAccess.GetLength(file));

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
