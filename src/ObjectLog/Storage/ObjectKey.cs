using System.Runtime.CompilerServices;
using System.Text;

namespace ObjectLog.Storage;

/// <summary>
/// The key rules every store enforces, so a key that works on one backend works on all and no key can reach
/// outside a filesystem store's root.
/// </summary>
/// <remarks>
/// A key is one or more <c>/</c>-separated segments. It must not be empty, start with <c>/</c>, contain an
/// empty, <c>.</c> or <c>..</c> segment, a backslash, or a control character (NUL included), and must be at
/// most <see cref="MaxLength"/> bytes of UTF-8 (S3's limit). A prefix follows the same rules except that it
/// may be empty and may end with <c>/</c>. A prefix a log lives under must also leave room for the log's own
/// names, and hold no segment a store could not store (see <see cref="ValidateLogPrefix"/>).
/// </remarks>
public static class ObjectKey
{
    /// <summary>The longest key, in UTF-8 bytes.</summary>
    public const int MaxLength = 1024;

    /// <summary>The longest segment of a log's prefix, in UTF-8 bytes: the longest file name most filesystems allow, which the filesystem store makes of each segment.</summary>
    internal const int MaxSegmentLength = 255;

    /// <summary>The longest prefix a log accepts, in UTF-8 bytes without a trailing '/': its longest key is the prefix, a '/' and its longest name.</summary>
    internal static int MaxLogPrefixLength => MaxLength - 1 - Internal.LogNameLimits.LongestName;

    /// <summary>Throws <see cref="ArgumentException"/> naming the problem if <paramref name="key"/> is not a valid key.</summary>
    public static void Validate(string key, [CallerArgumentExpression(nameof(key))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        string? problem = Check(key, allowEmpty: false, allowTrailingSlash: false);
        if (problem is not null)
        {
            throw new ArgumentException($"Invalid object key '{Printable(key)}': {problem}.", paramName);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the problem if <paramref name="prefix"/> is not a valid listing prefix.</summary>
    public static void ValidatePrefix(string prefix, [CallerArgumentExpression(nameof(prefix))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(prefix, paramName);
        string? problem = Check(prefix, allowEmpty: true, allowTrailingSlash: true);
        if (problem is not null)
        {
            throw new ArgumentException($"Invalid key prefix '{Printable(prefix)}': {problem}.", paramName);
        }
    }

    /// <summary>
    /// Whether <see cref="IObjectStore.ListAsync"/> of <paramref name="prefix"/> after <paramref name="startAfter"/>
    /// includes <paramref name="key"/>: it starts with <paramref name="prefix"/> (a plain string prefix, not a folder)
    /// and, if <paramref name="startAfter"/> is given, sorts after it in ordinal order.
    /// </summary>
    /// <remarks>A backend filters what its listing request returns with this (servers differ at the edges), or lists with it alone.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="prefix"/> is <see langword="null"/>.</exception>
    public static bool IsListed(string key, string prefix, string? startAfter)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(prefix);
        return key.StartsWith(prefix, StringComparison.Ordinal) && (startAfter is null || string.CompareOrdinal(key, startAfter) > 0);
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the problem if <paramref name="prefix"/> cannot hold a log: if it
    /// is not a valid key prefix (see <see cref="ValidatePrefix"/>), or if some key the log writes under it could not
    /// be stored. That is a prefix whose first segment is <c>.objectlog-tmp</c> (where the filesystem store stages its
    /// writes: see <see cref="FileSystemObjectStore.StagingFolderName"/>), one with a segment longer than 255 bytes
    /// (a file name on most filesystems), and one so long that the log's longest key, the prefix, a <c>/</c> and a
    /// name of about 150 characters, would be longer than <see cref="MaxLength"/> bytes.
    /// </summary>
    /// <remarks>
    /// <see cref="AppendLog"/> checks its prefix with this, so a prefix that could never be written to is refused when
    /// the log is opened rather than by every flush. The rules hold for every store, so a log can move between them.
    /// </remarks>
    public static void ValidateLogPrefix(string prefix, [CallerArgumentExpression(nameof(prefix))] string? paramName = null)
    {
        ValidatePrefix(prefix, paramName);
        string? problem = CheckLogPrefix(prefix.EndsWith('/') ? prefix[..^1] : prefix);
        if (problem is not null)
        {
            throw new ArgumentException($"Invalid log prefix '{Printable(prefix)}': {problem}.", paramName);
        }
    }

    private static string? CheckLogPrefix(string prefix)
    {
        if (prefix.Length == 0)
        {
            return null;
        }

        string[] segments = prefix.Split('/');
        if (segments[0] == FileSystemObjectStore.StagingFolderName)
        {
            return $"its first segment '{FileSystemObjectStore.StagingFolderName}' is reserved (the filesystem store stages its writes there)";
        }

        foreach (string segment in segments)
        {
            int bytes = Encoding.UTF8.GetByteCount(segment);
            if (bytes > MaxSegmentLength)
            {
                return $"its segment '{Printable(segment)}' is {bytes} bytes long, and a segment may be at most {MaxSegmentLength} bytes (a file name, in the filesystem store)";
            }
        }

        int length = Encoding.UTF8.GetByteCount(prefix);
        if (length > MaxLogPrefixLength)
        {
            return $"it is {length} bytes long, and a log's prefix may be at most {MaxLogPrefixLength} bytes, so that its longest keys (the prefix, '/' and a {Internal.LogNameLimits.LongestName}-character name) stay within the {MaxLength}-byte key limit";
        }

        return null;
    }

    private static string? Check(string key, bool allowEmpty, bool allowTrailingSlash)
    {
        if (key.Length == 0)
        {
            return allowEmpty ? null : "it is empty";
        }

        if (Encoding.UTF8.GetByteCount(key) > MaxLength)
        {
            return $"it is longer than {MaxLength} bytes";
        }

        foreach (char c in key)
        {
            if (c == '\\')
            {
                return "it contains a backslash (use '/' to separate segments)";
            }

            if (char.IsControl(c))
            {
                return c == '\0' ? "it contains a NUL character" : "it contains a control character";
            }
        }

        if (key[0] == '/')
        {
            return "it is absolute (starts with '/')";
        }

        if (key.Length >= 2 && key[1] == ':' && char.IsAsciiLetter(key[0]))
        {
            return "it looks like a drive-qualified path";
        }

        string body = allowTrailingSlash && key.EndsWith('/') ? key[..^1] : key;
        foreach (string segment in body.Split('/'))
        {
            switch (segment)
            {
                case "":
                    return "it has an empty segment ('//' or a trailing '/')";
                case ".":
                case "..":
                    return $"it has a '{segment}' segment";
            }
        }

        return null;
    }

    private static string Printable(string key)
    {
        var sb = new StringBuilder(Math.Min(key.Length, 200));
        foreach (char c in key.Length > 200 ? key[..200] : key)
        {
            sb.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return key.Length > 200 ? sb.Append('…').ToString() : sb.ToString();
    }
}
