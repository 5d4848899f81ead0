using System.Net;
using System.Net.Sockets;

namespace ObjectLog.Tests;

internal static class Loopback
{
    /// <summary>A port on 127.0.0.1 nothing listens on: one the system just handed out, closed again.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
