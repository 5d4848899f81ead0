using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace ObjectLog.Storage;

/// <remarks>
/// <para>
/// Conditional updates (<see cref="PutVersionedAsync"/>): an object's version is its last write time (in 100 ns
/// ticks) and its length, <c>{ticks:x}-{length:x}</c>, read from the file itself, so listings give it too. Every
/// versioned put of a key holds that key's lock while it compares and publishes: an exclusive <c>flock</c> (a share
/// mode on Windows) on the lock file <c>.objectlog-tmp/{hash of the key}.lock</c>, which serializes the versioned
/// puts of one key between threads and between processes on one machine (not between machines sharing a network
/// file system, whose locks this store does not trust). Under the lock a put checks the current version, stages
/// and flushes the new bytes, stamps them with a last write later than both the current object's and any the key
/// had before (the lock file keeps the latest, so a key deleted and created again does not get an old version
/// back), and renames them over the key. The stamp is the kernel's time of the write unless that is not later, then
/// the earlier stamp plus one tick: a version never repeats for a key even when two writes land within one tick of
/// a coarse file clock, or the wall clock steps back.
/// </para>
/// <para>
/// Only versioned puts take the lock. A stream put (<see cref="PutAsync(string, Stream, PutMode, CancellationToken)"/>)
/// or a delete of a key that is updated conditionally is not ordered with those puts: write such keys with
/// <see cref="PutVersionedAsync"/> only. Lock files are never removed (one small file per key ever put this way):
/// removing one while another writer waits on it would let two writers hold "the" lock.
/// </para>
/// </remarks>
public sealed partial class FileSystemObjectStore
{
    /// <summary>How long a versioned put waits for another to release the key's lock before failing (transiently).</summary>
    internal static readonly TimeSpan KeyLockTimeout = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    /// <remarks>Between threads and processes on one machine; see the class remarks for how.</remarks>
    public bool SupportsConditionalUpdate => true;

    /// <inheritdoc />
    /// <remarks>Read in the caller's thread, as <see cref="GetAsync"/> opens: the objects read this way are small.</remarks>
    public Task<VersionedObject> GetVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(ReadVersioned(key));
    }

    /// <inheritdoc />
    public async Task<string> PutVersionedAsync(string key, ReadOnlyMemory<byte> content, PutMode mode, string? version, CancellationToken cancellationToken = default)
    {
        VersionedPut.Validate(key, mode, version);
        ValidateKey(key);
        StagingFolder staging = Wrap(key, () => _folder.OpenStaging(key, create: true)!);
        using (staging)
        {
            SweepStagedFilesIfDue(staging);
            using SafeFileHandle keyLock = await LockKeyAsync(staging, key, cancellationToken).ConfigureAwait(false);
            string temp = $"{Guid.NewGuid():N}.tmp";
            bool published = false;
            string? written = null;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                await BlockingIoThreads.RunAsync(() =>
                {
                    long size = 0;
                    DateTime? current = mode == PutMode.Create ? null : CurrentStamp(key, out size);
                    if (mode == PutMode.Update && (current is not { } at || VersionOf(at, size) != version))
                    {
                        throw new ObjectChangedException(key, version!);
                    }

                    DateTime? after = Later(current, LastStampOf(keyLock));
                    published = WriteAndPublish(staging, temp, content, mode == PutMode.Create ? PutMode.Create : PutMode.Overwrite, key, cancellationToken, file =>
                    {
                        DateTime stamped = StampAfter(file, after);
                        RecordStamp(keyLock, stamped);
                        written = VersionOf(stamped, content.Length);
                    });
                }).ConfigureAwait(false);
                return written!;
            }
            catch (Exception e) when (e is IOException and not ObjectStoreException or UnauthorizedAccessException)
            {
                throw new ObjectStoreException($"Writing object '{key}' failed: {e.Message}", key, isTransient: false, e);
            }
            finally
            {
                if (!published)
                {
                    staging.TryRemove(temp);
                }
            }
        }
    }

    /// <summary>The version of an object last written at <paramref name="lastWriteUtc"/> with <paramref name="size"/> bytes.</summary>
    internal static string VersionOf(DateTime lastWriteUtc, long size)
        => string.Create(CultureInfo.InvariantCulture, $"{lastWriteUtc.Ticks:x}-{size:x}");

    /// <summary>The name of <paramref name="key"/>'s lock file in the staging folder: fixed length, whatever the key.</summary>
    internal static string LockFileName(string key)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16)) + ".lock";

    private VersionedObject ReadVersioned(string key)
    {
        (SafeFileHandle file, _) = Wrap(key, () => _folder.OpenRead(key));
        using (file)
        {
            return Wrap(key, () =>
            {
                // The version and the bytes come from one open file: a write since replaced the name, never these bytes.
                (DateTime lastWrite, long size) = _folder.Stamp(file);
                if (size > Array.MaxLength)
                {
                    throw new ObjectStoreException($"Reading object '{key}' with its version failed: at {size} bytes it is too large to read whole.", key);
                }

                byte[] content = new byte[size];
                int read = 0;
                while (read < content.Length && RandomAccess.Read(file, content.AsSpan(read), read) is var n and > 0)
                {
                    read += n;
                }

                return read == content.Length
                    ? new VersionedObject(key, content, VersionOf(lastWrite, size), new DateTimeOffset(lastWrite, TimeSpan.Zero))
                    : throw new ObjectStoreException($"Reading object '{key}' with its version failed: it was cut short while read ({read} of {size} bytes).", key, isTransient: true);
            });
        }
    }

    /// <summary>The last write of the object now at <paramref name="key"/>, and its length; <see langword="null"/> if there is none.</summary>
    private DateTime? CurrentStamp(string key, out long size)
    {
        size = 0;
        SafeFileHandle file;
        try
        {
            (file, _) = _folder.OpenRead(key);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }

        using (file)
        {
            (DateTime lastWrite, size) = _folder.Stamp(file);
            return lastWrite;
        }
    }

    /// <summary>Takes <paramref name="key"/>'s lock, waiting (with short, growing pauses) while another writer holds it.</summary>
    private static async Task<SafeFileHandle> LockKeyAsync(StagingFolder staging, string key, CancellationToken cancellationToken)
    {
        string name = LockFileName(key);
        long deadline = Environment.TickCount64 + (long)KeyLockTimeout.TotalMilliseconds;
        int pause = 1;
        while (true)
        {
            if (Wrap(key, () => staging.TryLock(name)) is { } held)
            {
                return held;
            }

            if (Environment.TickCount64 >= deadline)
            {
                throw new ObjectStoreException($"Writing object '{key}' failed: another writer held its lock ('{StagingFolderName}/{name}') for {KeyLockTimeout.TotalSeconds:0} s.", key, isTransient: true);
            }

            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = Math.Min(pause * 2, 50);
        }
    }

    /// <summary>The latest stamp a versioned put gave the key, kept in its lock file (8 bytes of ticks); <see langword="null"/> if none yet.</summary>
    private static DateTime? LastStampOf(SafeFileHandle keyLock)
    {
        Span<byte> ticks = stackalloc byte[sizeof(long)];
        return RandomAccess.Read(keyLock, ticks, 0) == ticks.Length && BinaryPrimitives.ReadInt64LittleEndian(ticks) is var t and > 0 and <= 0x2BCA2875F4373FFF // DateTime.MaxValue.Ticks
            ? new DateTime(t, DateTimeKind.Utc)
            : null;
    }

    private static void RecordStamp(SafeFileHandle keyLock, DateTime stamp)
    {
        Span<byte> ticks = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(ticks, stamp.Ticks);
        RandomAccess.Write(keyLock, ticks, 0);
    }

    private static DateTime? Later(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a > b ? a : b;

    /// <summary>
    /// Gives the staged <paramref name="file"/> a last write later than <paramref name="after"/> (if any), keeping
    /// the kernel's stamp where it already is; returns the stamp as the file system keeps it. Where the file system
    /// keeps coarser times than a tick, the step grows until the kept stamp is later.
    /// </summary>
    private DateTime StampAfter(SafeFileHandle file, DateTime? after)
    {
        DateTime stamped = _folder.Stamp(file).LastWriteUtc;
        long step = 1;
        for (int tries = 0; after is { } before && stamped <= before; tries++)
        {
            if (tries == 9)
            {
                throw new IOException($"The file system keeps no last write later than {before:O} (it stays {stamped:O}).");
            }

            File.SetLastWriteTimeUtc(file, new DateTime(before.Ticks + step, DateTimeKind.Utc));
            stamped = _folder.Stamp(file).LastWriteUtc;
            step *= 10;
        }

        return stamped;
    }
}
