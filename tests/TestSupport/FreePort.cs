using System.Net;
using System.Net.Sockets;

namespace Fleet.Testing;

/// <summary>Free loopback TCP ports. The port is free when returned; callers retry if someone takes it first.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
