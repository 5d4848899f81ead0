namespace ObjectLog.Storage;

/// <summary>What a folder store's directory entry is, told without following it or opening it.</summary>
internal enum EntryKind
{
    /// <summary>A regular file: the only kind that can be an object.</summary>
    File,

    /// <summary>A real folder (never a link to one).</summary>
    Folder,

    SymbolicLink,
    Fifo,
    Socket,
    CharacterDevice,
    BlockDevice,

    /// <summary>A type the platform reported but this code does not name (a Solaris door, say).</summary>
    Unknown,
}

/// <summary>One entry under a folder store's root: its key (root-relative, <c>/</c>-separated) and what it is.</summary>
/// <param name="Key">The key the entry would have as an object.</param>
/// <param name="Kind">What it is.</param>
/// <param name="Size">Its length in bytes, for a regular file; 0 for the others.</param>
/// <param name="LastWriteUtc">Its last write, for a regular file; <see cref="DateTime.MinValue"/> for the others.</param>
internal readonly record struct FolderEntry(string Key, EntryKind Kind, long Size, DateTime LastWriteUtc);

internal static class EntryKinds
{
    /// <summary>What a person calls an entry of this kind: "symbolic link", "FIFO"…</summary>
    public static string Describe(this EntryKind kind) => kind switch
    {
        EntryKind.File => "regular file",
        EntryKind.Folder => "folder",
        EntryKind.SymbolicLink => "symbolic link",
        EntryKind.Fifo => "FIFO",
        EntryKind.Socket => "socket",
        EntryKind.CharacterDevice => "character device",
        EntryKind.BlockDevice => "block device",
        _ => "file of an unknown type",
    };
}
