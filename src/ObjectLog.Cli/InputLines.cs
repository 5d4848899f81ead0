namespace ObjectLog.Cli;

/// <summary>
/// Reads a stream a line at a time as bytes: nothing is decoded, so what is stored is exactly what was given, and a
/// line longer than the limit is reported without being read whole (a 2 GB line costs no more than the limit).
/// A line ends at '\n'; a '\r' before it and a UTF-8 byte order mark at the start are dropped.
/// </summary>
internal sealed class InputLines
{
    private readonly Stream _stream;
    private readonly int _maxLine;
    private byte[] _buffer;
    private int _start;
    private int _scanned;
    private int _end;
    private bool _eof;

    /// <param name="stream">The input; not disposed here.</param>
    /// <param name="maxLine">The longest line returned whole; a longer one is returned as too long, and reading stops there.</param>
    public InputLines(Stream stream, int maxLine)
    {
        _stream = stream;
        _maxLine = maxLine + 1; // room for a '\r' before the '\n'
        _buffer = new byte[Math.Min(64 * 1024, _maxLine + 1)];
    }

    /// <summary>The number of the line returned last, counting from 1, blank lines included.</summary>
    public long Number { get; private set; }

    /// <summary>The next line, valid until the next call; <c>Found</c> is false at the end.</summary>
    public async ValueTask<(bool Found, ReadOnlyMemory<byte> Line, bool TooLong)> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_scanned, _end - _scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                int lineEnd = _scanned + newline;
                return Take(lineEnd, lineEnd + 1);
            }

            _scanned = _end;
            if (_end - _start > _maxLine)
            {
                _eof = true;
                _start = _scanned = _end;
                Number++;
                return (true, default, true);
            }

            if (_eof)
            {
                return _start < _end ? Take(_end, _end) : (false, default, false);
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _scanned -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                Array.Resize(ref _buffer, (int)Math.Min(_buffer.Length * 2L, _maxLine + 1L));
            }

            int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            _eof = read == 0;
            _end += read;
        }
    }

    private (bool, ReadOnlyMemory<byte>, bool) Take(int lineEnd, int next)
    {
        int start = _start;
        if (Number == 0 && _buffer.AsSpan(start, lineEnd - start).StartsWith("\uFEFF"u8))
        {
            start += 3;
        }

        int end = lineEnd > start && _buffer[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
        _start = _scanned = next;
        Number++;
        return end - start > _maxLine - 1 ? (true, default, true) : (true, _buffer.AsMemory(start, end - start), false);
    }
}
