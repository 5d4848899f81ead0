namespace ObjectLog.Storage;

/// <summary>Which <see cref="FolderAccess"/> a store uses: the best the platform has, or (tests) one it would fall back to.</summary>
internal enum FolderAccessKind
{
    /// <summary>Linux's where it runs, else the portable one.</summary>
    Best,

    /// <summary>Linux's, walking one name at a time as on kernels without <c>openat2</c>.</summary>
    LinuxWithoutOpenat2,

    /// <summary>The portable one, as on Windows and macOS.</summary>
    Portable,
}
