using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fleet.Web.Tests.Browser;

public sealed class LoopbackProxyTests
{
    [Fact]
    public async Task Cut_OpenConnection_IsDroppedAndNewOnesRefusedUntilResume()
    {
        var ct = TestContext.Current.CancellationToken;
        using var echo = new TcpListener(IPAddress.Loopback, 0);
        echo.Start();
        _ = EchoAsync(echo, ct);
        await using var proxy = LoopbackProxy.Start(((IPEndPoint)echo.LocalEndpoint).Port);

        using var first = new TcpClient();
        await first.ConnectAsync(IPAddress.Loopback, proxy.Port, ct);
        var stream = first.GetStream();
        Assert.Equal("ping", await RoundTripAsync(stream, "ping", ct));

        proxy.Cut();

        var buffer = new byte[16];
        var read = -1;
        try
        {
            read = await stream.ReadAsync(buffer, ct).AsTask().WaitAsync(TimeSpan.FromSeconds(5), ct);
        }
        catch (IOException)
        {
            read = 0;
        }

        Assert.Equal(0, read);
        using (var refused = new TcpClient())
        {
            await Assert.ThrowsAsync<SocketException>(async () => await refused.ConnectAsync(IPAddress.Loopback, proxy.Port, ct));
        }

        proxy.Resume();
        using var second = new TcpClient();
        await second.ConnectAsync(IPAddress.Loopback, proxy.Port, ct);
        Assert.Equal("pong", await RoundTripAsync(second.GetStream(), "pong", ct));
        Assert.Equal(2, proxy.ConnectionsAccepted);
    }

    private static async Task<string> RoundTripAsync(NetworkStream stream, string text, CancellationToken ct)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text), ct);
        var buffer = new byte[text.Length];
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(total), ct);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return Encoding.ASCII.GetString(buffer, 0, total);
    }

    private static async Task EchoAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await client.GetStream().CopyToAsync(client.GetStream(), ct);
                    }
                    catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
                    {
                    }
                }
            }, ct);
        }
    }
}
