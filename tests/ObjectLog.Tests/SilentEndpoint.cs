using System.Net;
using System.Net.Sockets;

namespace ObjectLog.Tests;

/// <summary>
/// A TCP endpoint on 127.0.0.1 that accepts every connection and never answers: a black hole, as a firewall that
/// drops replies or a hung server looks to a client (which then waits for its timeout, not a refused connection).
/// </summary>
internal sealed class SilentEndpoint : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _accepted = [];

    public SilentEndpoint()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>How many connections it accepted: one an attempt of a client's request.</summary>
    public int Connections
    {
        get
        {
            lock (_accepted)
            {
                return _accepted.Count;
            }
        }
    }

    /// <summary>When the first connection came (<see cref="DateTime.UtcNow"/>), or <see langword="null"/>.</summary>
    public DateTime? FirstConnection { get; private set; }

    public void Dispose()
    {
        _listener.Stop();
        lock (_accepted)
        {
            _accepted.ForEach(c => c.Dispose());
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync();
                lock (_accepted)
                {
                    FirstConnection ??= DateTime.UtcNow;
                    _accepted.Add(client); // held open, never read or written
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // stopped
        }
    }
}
