using System.Text;

namespace ObjectLog.Cli;

/// <summary>Writes events to standard output, one a line, optionally each after its position and a tab.</summary>
internal sealed class EventWriter : IAsyncDisposable
{
    private readonly bool _positions;
    private readonly BufferedStream _buffered;

    public EventWriter(bool positions)
    {
        _positions = positions;
        _buffered = new BufferedStream(Console.OpenStandardOutput(), 64 * 1024); // owns and disposes stdout's stream
    }

    public async ValueTask WriteAsync(LogEvent e, CancellationToken cancellationToken)
    {
        if (_positions)
        {
            await _buffered.WriteAsync(Encoding.UTF8.GetBytes(e.Position.ToString() + "\t"), cancellationToken);
        }

        await _buffered.WriteAsync(e.Data, cancellationToken);
        _buffered.WriteByte((byte)'\n');
    }

    public Task FlushAsync(CancellationToken cancellationToken) => _buffered.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => _buffered.DisposeAsync();
}
