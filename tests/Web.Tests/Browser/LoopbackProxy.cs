using System.Net;
using System.Net.Sockets;

namespace Fleet.Web.Tests.Browser;

/// <summary>
/// A TCP relay on a loopback port in front of the Api, so a test can cut the browser's connections for real:
/// <see cref="Cut"/> resets every open connection and refuses new ones until <see cref="Resume"/>, on the same port.
/// </summary>
internal sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly Lock _gate = new();
    private readonly List<(TcpClient Client, TcpClient Upstream)> _pairs = [];
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;
    private Task _acceptLoop = Task.CompletedTask;

    private LoopbackProxy(IPEndPoint target) => _target = target;

    /// <summary>The proxy's port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>Connections relayed so far (each browser connection counts once).</summary>
    public int ConnectionsAccepted { get; private set; }

    /// <summary>Starts relaying from a free loopback port to <paramref name="targetPort"/>.</summary>
    public static LoopbackProxy Start(int targetPort)
    {
        var proxy = new LoopbackProxy(new IPEndPoint(IPAddress.Loopback, targetPort));
        proxy.Listen(0);
        return proxy;
    }

    /// <summary>Resets every open connection (RST, as a dropped network would look to the browser) and refuses new ones.</summary>
    public void Cut()
    {
        lock (_gate)
        {
            _listener?.Stop();
            _listener = null;
            foreach (var (client, upstream) in _pairs)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Close();
                upstream.Close();
            }

            _pairs.Clear();
        }
    }

    /// <summary>Accepts connections again, on the same port.</summary>
    public void Resume()
    {
        lock (_gate)
        {
            if (_listener is null)
            {
                Listen(Port);
            }
        }
    }

    private void Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _listener = listener;
        _acceptLoop = AcceptAsync(listener);
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException or OperationCanceledException or InvalidOperationException)
            {
                return;
            }

            var upstream = new TcpClient();
            try
            {
                await upstream.ConnectAsync(_target, _stop.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                client.Dispose();
                upstream.Dispose();
                continue;
            }

            client.NoDelay = true;
            upstream.NoDelay = true;
            lock (_gate)
            {
                if (!ReferenceEquals(_listener, listener))
                {
                    client.Dispose();
                    upstream.Dispose();
                    return;
                }

                _pairs.Add((client, upstream));
                ConnectionsAccepted++;
            }

            _ = RelayAsync(client, upstream);
        }
    }

    private async Task RelayAsync(TcpClient client, TcpClient upstream)
    {
        try
        {
            var clientStream = client.GetStream();
            var upstreamStream = upstream.GetStream();
            var up = clientStream.CopyToAsync(upstreamStream, _stop.Token);
            var down = upstreamStream.CopyToAsync(clientStream, _stop.Token);
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException or SocketException)
        {
            // The connection ended (or was cut): nothing to relay any more.
        }
        finally
        {
            lock (_gate)
            {
                _pairs.Remove((client, upstream));
            }

            client.Dispose();
            upstream.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Cut();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
