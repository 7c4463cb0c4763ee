using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using Fleet.Contracts.Agents;

namespace Fleet.Api.Tests.Live;

/// <summary>
/// A dashboard on <c>/hubs/live</c> as the browser speaks to it (SignalR's JSON protocol over a WebSocket) that counts
/// what it is sent: the <c>LinkSamples</c> messages and their bytes on the wire, after its one subscription.
/// </summary>
internal sealed class LiveWireCounter : IDisposable
{
    private const char Separator = '\u001e';
    private readonly ClientWebSocket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly StringBuilder _all = new();
    private long _bytes;
    private int _messages;
    private int _samples;

    private LiveWireCounter(ClientWebSocket socket) => _socket = socket;

    /// <summary>Bytes of the samples messages so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Connects, invokes <paramref name="method"/> with <paramref name="arguments"/> (JSON) and counts from its answer on.</summary>
    public static async Task<LiveWireCounter> ConnectAsync(Uri server, string bearer, string method, string arguments)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + bearer);
        await socket.ConnectAsync(new UriBuilder(new Uri(server, HubRoutes.Live.TrimStart('/'))) { Scheme = "ws" }.Uri, TestContext.Current.CancellationToken);
        var counter = new LiveWireCounter(socket);
        _ = Task.Run(counter.ReadAsync, TestContext.Current.CancellationToken);
        await counter.SendAsync("""{"protocol":"json","version":1}""");
        await counter.SendAsync($$"""{"type":1,"invocationId":"1","target":"{{method}}","arguments":[{{arguments}}]}""");
        await counter.WaitForAsync("\"invocationId\":\"1\"");
        return counter;
    }

    /// <summary>Waits until a message holding <paramref name="text"/> arrived.</summary>
    public async Task WaitForAsync(string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            lock (_gate)
            {
                if (_all.ToString().Contains(text, StringComparison.Ordinal))
                {
                    return;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"no message with {text} arrived");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Messages, the samples they carry and their bytes per sampling round, as JSON.</summary>
    public string PerRound(int rounds) => string.Create(
        CultureInfo.InvariantCulture,
        $$"""{"messagesPerSecond":{{(double)Volatile.Read(ref _messages) / rounds:F2}},"samplesPerSecond":{{(double)Volatile.Read(ref _samples) / rounds:F1}},"bytesPerSecond":{{(double)Bytes / rounds:F0}}}""");

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
    }

    private Task SendAsync(string message) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(message + Separator), WebSocketMessageType.Text, endOfMessage: true, TestContext.Current.CancellationToken);

    private async Task ReadAsync()
    {
        var buffer = new byte[1 << 20];
        var pending = new StringBuilder();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                pending.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
                var messages = pending.ToString().Split(Separator);
                foreach (var message in messages[..^1])
                {
                    Count(message);
                }

                pending.Clear().Append(messages[^1]);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private void Count(string message)
    {
        lock (_gate)
        {
            _all.Append(message).Append(Separator);
        }

        if (message.Contains("\"target\":\"LinkSamples\"", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _messages);
            Interlocked.Add(ref _samples, CountOf(message, "\"member\":"));
            Interlocked.Add(ref _bytes, Encoding.UTF8.GetByteCount(message) + 1);
        }
    }
}
