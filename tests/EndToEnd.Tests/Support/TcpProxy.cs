using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fleet.EndToEnd.Tests.Support;

/// <summary>
/// A loopback TCP proxy between an agent and the Api that a test can cut for real: when armed, the moment the Api's
/// bytes towards the agent contain a marker (a hub message name — frames from server to client are not masked), the
/// proxy forwards them, closes every connection and refuses new ones until <see cref="Restore"/>. That is what a link
/// change that cuts the host off looks like to the agent: its confirmation never arrives.
/// </summary>
internal sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(TcpClient Client, TcpClient Server)> _pairs = [];
    private readonly Task _accepting;
    private volatile bool _refusing;
    private volatile bool _muted;
    private volatile bool _dropOnly;
    private byte[]? _marker;
    private TaskCompletionSource _cut = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TcpProxy(int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Loopback, targetPort);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>Completes when an armed cut happened.</summary>
    public Task Cut => _cut.Task;

    /// <summary>Cuts everything right after the Api sends bytes containing <paramref name="marker"/>.</summary>
    public void CutAfterServerSends(string marker)
    {
        _cut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _marker, Encoding.UTF8.GetBytes(marker));
    }

    /// <summary>
    /// Drops the Api's bytes that contain <paramref name="marker"/> and closes every connection at that moment, but keeps
    /// accepting new ones: a blip that loses a message in flight, after which the agent reconnects at once.
    /// </summary>
    public void DropAndResetWhenServerSends(string marker)
    {
        _dropOnly = true;
        CutAfterServerSends(marker);
    }

    /// <summary>Closes every connection now and refuses new ones until <see cref="Restore"/>.</summary>
    public void CutNow()
    {
        _refusing = true;
        CloseAll();
        _cut.TrySetResult();
    }

    /// <summary>Accepts connections again.</summary>
    public void Restore()
    {
        _muted = false;
        _refusing = false;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CloseAll();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_refusing)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }

            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(_target, _stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            lock (_pairs)
            {
                _pairs.Add((client, server));
            }

            _ = PumpAsync(client, server, watch: false);
            _ = PumpAsync(server, client, watch: true);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, bool watch)
    {
        var buffer = new byte[64 * 1024];
        var tail = Array.Empty<byte>();
        try
        {
            var input = from.GetStream();
            var output = to.GetStream();
            while (true)
            {
                var read = await input.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                if (_muted)
                {
                    // Cut: whatever the agent says after the marked message must not reach the Api.
                    break;
                }

                if (watch && Volatile.Read(ref _marker) is { } marker)
                {
                    var window = tail.Concat(buffer.Take(read)).ToArray();
                    if (window.AsSpan().IndexOf(marker) >= 0 && Interlocked.CompareExchange(ref _marker, null, marker) == marker)
                    {
                        if (_dropOnly)
                        {
                            _dropOnly = false;
                            CloseAll();
                            _cut.TrySetResult();
                            return;
                        }

                        // Mute the agent's direction before the agent can see the message: otherwise its first answer
                        // (a report that it is applying) can reach the Api in the moment between this write and the
                        // close, which a real cut would not let through.
                        _muted = true;
                        await output.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                        await output.FlushAsync(_stop.Token);
                        _refusing = true;
                        CloseAll();
                        _cut.TrySetResult();
                        return;
                    }

                    tail = window.Length > marker.Length ? window[^marker.Length..] : window;
                }

                await output.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        from.Dispose();
        to.Dispose();
    }

    private void CloseAll()
    {
        lock (_pairs)
        {
            foreach (var (client, server) in _pairs)
            {
                client.Dispose();
                server.Dispose();
            }

            _pairs.Clear();
        }
    }
}
