namespace ObjectLog.S3;

/// <summary>
/// How a store writes an ETag into <c>If-Match</c>. HTTP (RFC 7232) and Amazon S3 take it quoted, as S3 returns it;
/// Ceph RGW 16 compares the header's bytes with the bare hex it keeps, so it refuses every quoted ETag with 412, a
/// match included. The store sends the quoted form until a server answers; after a 412 it asks once more with the
/// bare form, and keeps whichever form a server accepted. The second ask is a conditional write of its own: if it
/// succeeds, the object was at that version when it landed, so the update is as safe as the first would have been.
/// </summary>
internal sealed class S3IfMatchForm
{
    private const int Unknown = 0;
    private const int Quoted = 1;
    private const int Bare = 2;

    private int _form = Unknown;

    /// <summary>The header for <paramref name="etag"/> (a version as S3 returns it, quoted) on the first ask.</summary>
    public string First(string etag) => Volatile.Read(ref _form) == Bare ? Strip(etag) : etag;

    /// <summary>The header to ask again with after a 412 to <paramref name="sent"/>, or <see langword="null"/> when that answer stands.</summary>
    public string? Retry(string sent) => Volatile.Read(ref _form) == Unknown && Strip(sent) is var bare && bare != sent ? bare : null;

    /// <summary>A server accepted <paramref name="sent"/>: send that form from now on.</summary>
    public void Accepted(string sent) => Interlocked.CompareExchange(ref _form, sent.StartsWith('"') ? Quoted : Bare, Unknown);

    private static string Strip(string etag) => etag.Length >= 2 && etag[0] == '"' && etag[^1] == '"' ? etag[1..^1] : etag;
}
