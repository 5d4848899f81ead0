using Microsoft.Win32.SafeHandles;

namespace ObjectLog.Storage;

/// <summary>The staging folder, held open for one put (or one sweep): files are created, published and removed through it.</summary>
internal abstract class StagingFolder : IDisposable
{
    /// <summary>Creates the new staged file <paramref name="name"/> to write.</summary>
    public abstract SafeFileHandle Create(string name, long preallocationSize);

    /// <summary>Opens the staged file <paramref name="name"/> again, to write (to flush it).</summary>
    public abstract SafeFileHandle Open(string name);

    /// <summary>
    /// Moves the staged file <paramref name="name"/> to <paramref name="key"/> (creating its folders), replacing
    /// what is there for <see cref="PutMode.Overwrite"/>, never for <see cref="PutMode.Create"/>; returns the
    /// folder it landed in, to sync.
    /// </summary>
    /// <exception cref="ObjectAlreadyExistsException">A create-only put found the key taken.</exception>
    /// <exception cref="ObjectStoreException">A folder on the key's way is a link, or not a folder.</exception>
    public abstract string Publish(string name, string key, PutMode mode);

    /// <summary>
    /// Opens (creating it if missing) the lock file <paramref name="name"/> and takes its exclusive lock without
    /// waiting: the open file holds the lock until it is closed, against every other open of it, in this process or
    /// another on this machine. <see langword="null"/> while another holds it.
    /// </summary>
    /// <exception cref="IOException">The lock file cannot be opened, or is not a regular file.</exception>
    public abstract SafeFileHandle? TryLock(string name);

    /// <summary>Removes the staged file <paramref name="name"/>; whether it went.</summary>
    public abstract bool TryRemove(string name);

    /// <summary>The staged files (<c>*.tmp</c>, regular files only) and their last writes.</summary>
    public abstract List<(string Name, DateTime LastWriteUtc)> List();

    public abstract void Dispose();
}
