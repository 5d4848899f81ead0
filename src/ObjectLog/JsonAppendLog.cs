using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ObjectLog.Storage;

namespace ObjectLog;

/// <summary>
/// Typed events on an <see cref="AppendLog"/>: each value is one JSON object a line, written and read through a
/// source-generated <see cref="JsonTypeInfo{T}"/> (no reflection-based serialization).
/// </summary>
/// <remarks>
/// Values are serialized with a <see cref="Utf8JsonWriter"/> into one buffer this instance reuses, then copied into
/// the log's batch, so an append allocates nothing beyond what the value's own serialization needs. The guarantees
/// are the underlying log's: <see cref="AppendAsync"/> completes when the event is in memory (see
/// <see cref="AppendLog.AppendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>). The log is not owned: dispose it
/// yourself. All members are thread-safe.
/// </remarks>
/// <typeparam name="T">The event type.</typeparam>
public sealed class JsonAppendLog<T>
{
    private readonly AppendLog _log;
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _writer;

    /// <summary>Writes and reads <typeparamref name="T"/> values on <paramref name="log"/>.</summary>
    /// <param name="log">The log; not disposed by this instance.</param>
    /// <param name="typeInfo">From a source-generated <see cref="JsonSerializerContext"/>, such as <c>MyContext.Default.Order</c>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="typeInfo"/> does not come from a source-generated <see cref="JsonSerializerContext"/>.</exception>
    public JsonAppendLog(AppendLog log, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (typeInfo.OriginatingResolver is not JsonSerializerContext)
        {
            throw new ArgumentException($"The type info for {typeof(T).Name} must come from a source-generated JsonSerializerContext (such as MyContext.Default.{typeof(T).Name}), not from reflection.", nameof(typeInfo));
        }

        _log = log;
        _typeInfo = typeInfo;
        // Never indented: an event is one line. The context's encoder still applies.
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = typeInfo.Options.Encoder, MaxDepth = typeInfo.Options.MaxDepth });
    }

    /// <summary>The underlying log.</summary>
    public AppendLog Log => _log;

    /// <summary>Appends <paramref name="value"/> as one JSON line, with the semantics of <see cref="AppendLog.AppendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="JsonEventException">The value cannot be serialized; nothing is appended.</exception>
    /// <exception cref="ArgumentException">The serialized value is longer than <see cref="AppendLogOptions.MaxEventBytes"/>; nothing is appended.</exception>
    /// <exception cref="AppendBufferFullException">The buffer is full and storing its oldest batch failed; the value was not appended.</exception>
    /// <exception cref="ObjectStoreException">Storing the batch this value filled failed; it is kept and a later flush retries it.</exception>
    public ValueTask AppendAsync(T value, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return _log.AppendCopyingAsync(Serialize(value), owned: null, cancellationToken);
        }
    }

    /// <summary>Appends <paramref name="value"/> without ever waiting, with the semantics of <see cref="AppendLog.TryAppend"/>.</summary>
    /// <returns><see langword="true"/> if appended; <see langword="false"/> if the log's buffer is full.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="JsonEventException">The value cannot be serialized; nothing is appended.</exception>
    /// <exception cref="ArgumentException">The serialized value is longer than <see cref="AppendLogOptions.MaxEventBytes"/>; nothing is appended.</exception>
    public bool TryAppend(T value)
    {
        lock (_gate)
        {
            return _log.TryAppend(Serialize(value));
        }
    }

    /// <summary>The whole log, with the order and guarantees of <see cref="AppendLog.ReadAsync"/>.</summary>
    /// <exception cref="JsonEventException">An event does not deserialize as <typeparamref name="T"/>; the message names its position.</exception>
    public async IAsyncEnumerable<T> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long index = 0;
        await foreach (List<Internal.PlannedEvent> block in _log.ReadBlocksAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (Internal.PlannedEvent e in block)
            {
                LogPosition? position = e.Batch is null ? null : new LogPosition(e.Batch, e.Line, trusted: true);
                yield return Deserialize(e.Data, position, index++);
            }
        }
    }

    /// <summary>The stored events after <paramref name="after"/>, each with its position, as <see cref="AppendLog.ReadEventsAsync(LogPosition?, CancellationToken)"/> returns them.</summary>
    /// <exception cref="JsonEventException">An event does not deserialize as <typeparamref name="T"/>; the message names its position.</exception>
    public async IAsyncEnumerable<LogEvent<T>> ReadEventsAsync(LogPosition? after = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (LogEvent e in _log.ReadEventsAsync(after, cancellationToken).ConfigureAwait(false))
        {
            yield return new LogEvent<T>(e.Position, Deserialize(e.Data, e.Position, index: -1));
        }
    }

    /// <summary>The last <paramref name="count"/> events, each with its position, as <see cref="AppendLog.ReadLastAsync(int, CancellationToken)"/> returns them.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="JsonEventException">An event does not deserialize as <typeparamref name="T"/>; the message names its position.</exception>
    public async Task<IReadOnlyList<LogEvent<T>>> ReadLastAsync(int count, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<LogEvent> events = await _log.ReadLastAsync(count, cancellationToken).ConfigureAwait(false);
        return [.. events.Select(e => new LogEvent<T>(e.Position, Deserialize(e.Data, e.Position, index: -1)))];
    }

    /// <summary>Follows the log after <paramref name="after"/>, each event with its position, as <see cref="AppendLog.TailAsync"/> does.</summary>
    /// <exception cref="JsonEventException">An event does not deserialize as <typeparamref name="T"/>; the message names its position.</exception>
    public async IAsyncEnumerable<LogEvent<T>> TailAsync(LogPosition? after = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (LogEvent e in _log.TailAsync(after, cancellationToken).ConfigureAwait(false))
        {
            yield return new LogEvent<T>(e.Position, Deserialize(e.Data, e.Position, index: -1));
        }
    }

    /// <summary>Serializes under the lock; the span is valid until the lock is released.</summary>
    private ReadOnlySpan<byte> Serialize(T value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }

        _buffer.ResetWrittenCount();
        _writer.Reset();
        try
        {
            JsonSerializer.Serialize(_writer, value, _typeInfo);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            // ArgumentException: the writer refuses values JSON cannot hold, such as NaN without AllowNamedFloatingPointLiterals.
            throw new JsonEventException($"A {typeof(T).Name} value could not be serialized, so it was not appended to log '{_log.KeyPrefix}' (it has no position): {e.Message}", position: null, e);
        }

        return _buffer.WrittenSpan;
    }

    private T Deserialize(byte[] data, LogPosition? position, long index)
    {
        string where = position is { } p ? $"at {p}" : $"number {index} of the read (its batch is not known)";
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(data, _typeInfo);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new JsonEventException($"The event {where} in log '{_log.KeyPrefix}' is not a {typeof(T).Name}: {e.Message}", position, e);
        }

        return value ?? throw new JsonEventException($"The event {where} in log '{_log.KeyPrefix}' is JSON null, not a {typeof(T).Name}.", position, null);
    }
}
