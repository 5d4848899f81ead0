namespace ObjectLog.Cloud.Tests;

/// <summary>A non-seekable stream that yields <c>length</c> bytes and then fails as a broken source would.</summary>
internal sealed class FailingStream(int length) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_position >= length)
        {
            throw new IOException("the source broke");
        }

        int n = Math.Min(count, length - _position);
        buffer.AsSpan(offset, n).Fill((byte)'x');
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
