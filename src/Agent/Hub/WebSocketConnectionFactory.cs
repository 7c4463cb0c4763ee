using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Fleet.Agent.Hub;

/// <summary>
/// A SignalR client transport over <see cref="ClientWebSocket"/>: WebSockets only, no negotiation (the server accepts a
/// direct WebSocket request on the hub path). It stands in for Microsoft.AspNetCore.Http.Connections.Client, which does
/// not restore here (ENVIRONMENT.md); everything lives in this one file so the official transport can replace it.
/// </summary>
/// <param name="hubUrl">The hub's URL; http(s) is turned into ws(s).</param>
/// <param name="bearerToken">Sent as <c>Authorization: Bearer …</c> on the upgrade request; null for none.</param>
/// <param name="configure">Further socket options (tests: proxies, timeouts).</param>
public sealed class WebSocketConnectionFactory(Uri hubUrl, Func<string?> bearerToken, Action<ClientWebSocketOptions>? configure = null) : IConnectionFactory
{
    private Exception? _lastTransportError;

    /// <summary>The WebSocket URL connected to.</summary>
    public Uri Url { get; } = ToWebSocketUri(hubUrl);

    /// <summary>
    /// Why the last connection's socket failed (reset, closed without the close handshake, closed by the server with an
    /// error status), or null. The connection hands the hub everything that arrived before the failure and then ends its
    /// input without an error — a pipe completed with an error would throw away messages the hub had not read yet (an
    /// <c>ApplyLink</c> or <c>ConfirmLink</c> that arrived just before the cut) — so the reason is kept here instead.
    /// </summary>
    public Exception? LastTransportError => Volatile.Read(ref _lastTransportError);

    /// <inheritdoc />
    public async ValueTask<ConnectionContext> ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var uri = endpoint is UriEndPoint { Uri: { } target } ? ToWebSocketUri(target) : Url;
        Volatile.Write(ref _lastTransportError, null);
        var socket = new ClientWebSocket();
        try
        {
            if (bearerToken() is { Length: > 0 } token)
            {
                socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
            }

            // SignalR pings at the protocol level; the WebSocket keep-alive only adds traffic.
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            socket.Options.CollectHttpResponseDetails = true;
            configure?.Invoke(socket.Options);
            await socket.ConnectAsync(uri, cancellationToken);
        }
        catch (WebSocketException ex) when (socket.HttpStatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            throw new UnauthorizedAccessException($"{uri} refused the credential ({(int)status} {status})", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new WebSocketConnection(socket, uri, error => Volatile.Write(ref _lastTransportError, error));
        connection.Start();
        return connection;
    }

    /// <summary>ws(s) form of an http(s) URL.</summary>
    public static Uri ToWebSocketUri(Uri uri)
    {
        var builder = new UriBuilder(uri);
        builder.Scheme = builder.Scheme switch
        {
            "http" => "ws",
            "https" => "wss",
            _ => builder.Scheme,
        };
        if (builder.Port == -1 || (uri.IsDefaultPort && (builder.Scheme is "ws" or "wss")))
        {
            builder.Port = -1;
        }

        return builder.Uri;
    }

    /// <summary>One SignalR connection: two pipes pumped to and from the socket.</summary>
    private sealed class WebSocketConnection : ConnectionContext, IConnectionEndPointFeature
    {
        private const int ReceiveChunkBytes = 16 * 1024;
        private static readonly TimeSpan s_closeGrace = TimeSpan.FromSeconds(2);
        private readonly ClientWebSocket _socket;
        private readonly Pipe _fromServer = new(new PipeOptions(pauseWriterThreshold: 4 * 1024 * 1024, resumeWriterThreshold: 2 * 1024 * 1024, useSynchronizationContext: false));
        private readonly Pipe _toServer = new(new PipeOptions(pauseWriterThreshold: 4 * 1024 * 1024, resumeWriterThreshold: 2 * 1024 * 1024, useSynchronizationContext: false));
        private readonly CancellationTokenSource _aborted = new();
        private readonly Action<Exception> _failed;
        private Task _receiving = Task.CompletedTask;
        private Task _sending = Task.CompletedTask;
        private int _disposed;

        public WebSocketConnection(ClientWebSocket socket, Uri uri, Action<Exception> failed)
        {
            _socket = socket;
            _failed = failed;
            RemoteEndPoint = new UriEndPoint(uri);
            Transport = new DuplexPipe(_fromServer.Reader, _toServer.Writer);
            Features.Set<IConnectionEndPointFeature>(this);
        }

        public override string ConnectionId { get; set; } = Guid.NewGuid().ToString("N");

        public override IFeatureCollection Features { get; } = new FeatureCollection();

        public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

        public override IDuplexPipe Transport { get; set; }

        public override EndPoint? LocalEndPoint { get; set; }

        public override EndPoint? RemoteEndPoint { get; set; }

        public void Start()
        {
            _receiving = Task.Run(ReceiveAsync);
            _sending = Task.Run(SendAsync);
        }

        public override void Abort(ConnectionAbortedException abortReason)
        {
            _aborted.Cancel();
            _socket.Abort();
        }

        public override async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                await base.DisposeAsync();
                return;
            }

            // The hub connection completes its output when it stops; the send loop then closes the socket politely.
            await _toServer.Writer.CompleteAsync();
            var both = Task.WhenAll(_sending, _receiving);
            if (await Task.WhenAny(both, Task.Delay(s_closeGrace)) != both)
            {
                await _aborted.CancelAsync();
                _socket.Abort();
                await both.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            _socket.Dispose();
            _aborted.Dispose();
            await base.DisposeAsync();
        }

        private async Task ReceiveAsync()
        {
            var writer = _fromServer.Writer;
            Exception? error = null;
            try
            {
                while (true)
                {
                    var memory = writer.GetMemory(ReceiveChunkBytes);
                    var result = await _socket.ReceiveAsync(memory, _aborted.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        if (_socket.State == WebSocketState.CloseReceived)
                        {
                            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                        }

                        if (_socket.CloseStatus is not (WebSocketCloseStatus.NormalClosure or WebSocketCloseStatus.EndpointUnavailable))
                        {
                            error = new WebSocketException($"the server closed the connection: {_socket.CloseStatus} {_socket.CloseStatusDescription}");
                        }

                        break;
                    }

                    writer.Advance(result.Count);
                    var flush = await writer.FlushAsync(_aborted.Token);
                    if (flush.IsCompleted || flush.IsCanceled)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
                error = ex;
            }
            finally
            {
                // Complete without the error: the hub reads everything that arrived before the failure first (a pipe
                // completed with an error throws on the next read, dropping unread messages). The reason goes to the factory.
                if (error is not null)
                {
                    _failed(error);
                }

                await writer.CompleteAsync();

                // Nothing more will be read: stop the send loop too.
                _toServer.Reader.CancelPendingRead();
            }
        }

        private async Task SendAsync()
        {
            var reader = _toServer.Reader;
            Exception? error = null;
            try
            {
                while (true)
                {
                    var result = await reader.ReadAsync();
                    if (result.IsCanceled)
                    {
                        break;
                    }

                    var buffer = result.Buffer;
                    try
                    {
                        if (!buffer.IsEmpty)
                        {
                            await SendBufferAsync(buffer);
                        }
                    }
                    finally
                    {
                        reader.AdvanceTo(buffer.End);
                    }

                    if (result.IsCompleted)
                    {
                        break;
                    }
                }

                if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    using var timeout = new CancellationTokenSource(s_closeGrace);
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
                error = ex;
                _socket.Abort();
            }
            finally
            {
                await reader.CompleteAsync(error);
            }
        }

        private async Task SendBufferAsync(ReadOnlySequence<byte> buffer)
        {
            // SignalR's JSON protocol is text; one pipe read becomes one WebSocket message.
            if (buffer.IsSingleSegment)
            {
                await _socket.SendAsync(buffer.First, WebSocketMessageType.Text, endOfMessage: true, _aborted.Token);
                return;
            }

            var position = buffer.Start;
            buffer.TryGet(ref position, out var segment);
            while (buffer.TryGet(ref position, out var next))
            {
                await _socket.SendAsync(segment, WebSocketMessageType.Text, endOfMessage: false, _aborted.Token);
                segment = next;
            }

            await _socket.SendAsync(segment, WebSocketMessageType.Text, endOfMessage: true, _aborted.Token);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
