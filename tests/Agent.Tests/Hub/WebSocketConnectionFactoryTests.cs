using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Fleet.Agent.Hub;
using Fleet.Agent.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Tests.Hub;

public sealed class WebSocketConnectionFactoryTests
{
    /// <summary>
    /// A message the server sent right before the connection broke (the agent's case: <c>ApplyLink</c>, then the new
    /// network state cuts the host off) must still reach the hub client; the failure is reported after it.
    /// </summary>
    [Fact]
    public async Task ConnectionResetRightAfterAMessage_MessageIsReadBeforeTheEnd_AndTheResetIsReported()
    {
        const string message = "{\"type\":1,\"target\":\"ApplyLink\"}\u001e";
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = ServeOneMessageThenResetAsync(listener, message);
        var factory = new WebSocketConnectionFactory(new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/hubs/agent"), () => null);

        await using var connection = await factory.ConnectAsync(new UriEndPoint(factory.Url), TestContext.Current.CancellationToken);
        await server;

        // Read only after the socket failed: a pipe completed with the error would now throw instead of giving the message.
        await Eventually.TrueAsync(() => factory.LastTransportError is not null, "the reset noticed");
        var received = new StringBuilder();
        while (true)
        {
            var result = await connection.Transport.Input.ReadAsync(TestContext.Current.CancellationToken);
            received.Append(Encoding.UTF8.GetString(result.Buffer.ToArray()));
            connection.Transport.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        Assert.Equal(message, received.ToString());
        Assert.NotNull(factory.LastTransportError);
    }

    /// <summary>
    /// A bare WebSocket server on a socket (so the test decides exactly what goes on the wire): the upgrade, one text
    /// frame, then a reset (SO_LINGER 0) — no close handshake, like a cable pulled right after the message.
    /// </summary>
    private static async Task ServeOneMessageThenResetAsync(TcpListener listener, string message)
    {
        using var client = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        var request = new StringBuilder();
        var buffer = new byte[4096];
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken);
            Assert.True(read > 0, "the client closed during the upgrade");
            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var key = request.ToString().Split("\r\n").Single(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))["Sec-WebSocket-Key:".Length..].Trim();
#pragma warning disable CA5350 // RFC 6455 defines Sec-WebSocket-Accept with SHA-1; nothing here is secured by it.
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"), TestContext.Current.CancellationToken);
        var payload = Encoding.UTF8.GetBytes(message);
        await stream.WriteAsync((byte[])[0x81, (byte)payload.Length, .. payload], TestContext.Current.CancellationToken);
        client.Client.LingerState = new LingerOption(true, 0);
    }

    [Fact]
    public async Task ServerClosesPolitely_NoTransportError()
    {
        await using var app = await StartServerAsync(async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await socket.SendAsync("x\u001e"u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, endOfMessage: true, context.RequestAborted);
            await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "", context.RequestAborted);
        });
        var factory = new WebSocketConnectionFactory(new Uri(ServerUrl(app), "hubs/agent"), () => null);

        await using var connection = await factory.ConnectAsync(new UriEndPoint(factory.Url), TestContext.Current.CancellationToken);
        ReadResult result;
        var received = new StringBuilder();
        do
        {
            result = await connection.Transport.Input.ReadAsync(TestContext.Current.CancellationToken);
            received.Append(Encoding.UTF8.GetString(result.Buffer.ToArray()));
            connection.Transport.Input.AdvanceTo(result.Buffer.End);
        }
        while (!result.IsCompleted);

        Assert.Equal("x\u001e", received.ToString());
        Assert.Null(factory.LastTransportError);
    }

    private static async Task<WebApplication> StartServerAsync(RequestDelegate hub)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();
        app.Map("/hubs/agent", hub);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    private static Uri ServerUrl(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
}
