namespace ObjectLog;

/// <summary>
/// An append found the buffer at <see cref="AppendLogOptions.MaxBufferedBytes"/> and could not make room,
/// because flushing the buffered batches to the store failed. The event was not appended; nothing buffered was
/// lost, and a later append or flush retries the batches.
/// </summary>
public sealed class AppendBufferFullException : IOException
{
    /// <summary>Creates the exception.</summary>
    public AppendBufferFullException(long bufferedBytes, Exception innerException)
        : base($"The append buffer is full ({bufferedBytes} bytes buffered) and flushing it failed: {innerException.Message} The event was not appended.", innerException)
    {
        BufferedBytes = bufferedBytes;
    }

    /// <summary>How many bytes were waiting to be stored.</summary>
    public long BufferedBytes { get; }
}
