namespace ObjectLog.Storage;

/// <summary>The argument rules every store applies to conditional puts, so all refuse the same mistakes alike.</summary>
public static class VersionedPut
{
    /// <summary>Checks the arguments of <see cref="IObjectStore.PutVersionedAsync"/>.</summary>
    /// <exception cref="ArgumentException">The key breaks the <see cref="ObjectKey"/> rules, the version is missing for an update, or it is given for another mode.</exception>
    public static void Validate(string key, PutMode mode, string? version)
    {
        ObjectKey.Validate(key);
        switch (mode)
        {
            case PutMode.Update when string.IsNullOrEmpty(version):
                throw new ArgumentException("An update names the version it replaces.", nameof(version));
            case PutMode.Create or PutMode.Overwrite when version is not null:
                throw new ArgumentException($"Only an update names a version; {mode} does not.", nameof(version));
            case PutMode.Create or PutMode.Overwrite or PutMode.Update:
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a put mode.");
        }
    }

    /// <summary>Refuses <see cref="PutMode.Update"/> (and values that are no mode) in a stream put, which names no version.</summary>
    /// <exception cref="ArgumentException">The mode is not <see cref="PutMode.Overwrite"/> or <see cref="PutMode.Create"/>.</exception>
    public static void RefuseUpdate(PutMode mode)
    {
        if (mode is not (PutMode.Overwrite or PutMode.Create))
        {
            throw new ArgumentException($"{mode} is only for PutVersionedAsync, which names the version it replaces.", nameof(mode));
        }
    }
}
