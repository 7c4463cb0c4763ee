using Fleet.Contracts.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Hub;

/// <summary>
/// The agent's SignalR connection to <c>/hubs/agent</c>, built with the official client: negotiation, then WebSockets with
/// the credential as <c>Authorization: Bearer</c> on the upgrade, falling back to long polling where a proxy blocks
/// WebSockets (the credential then rides every request's header; server-sent events carry only text, so the client
/// skips them for MessagePack and uses them only with JSON). No stateful reconnect: a connection that breaks is closed
/// and <see cref="AgentHubClient"/> reconnects with its own backoff, a hello and the on-disk queue's resend, which is
/// what delivery rests on; the Api does not offer it either (docs/agent.md, "Connection").
/// </summary>
public static class AgentHubConnection
{
    /// <summary>Builds a connection (not started) to <paramref name="hubUrl"/>.</summary>
    /// <param name="hubUrl">The hub's http(s) URL.</param>
    /// <param name="credential">The bearer credential, read at every connect (negotiate and transport).</param>
    /// <param name="options">Timeouts and the protocol.</param>
    /// <param name="loggerFactory">For the client's own logs.</param>
    public static HubConnection Build(Uri hubUrl, Func<string?> credential, HubClientOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new HubConnectionBuilder()
            .WithUrl(hubUrl, HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling, connection =>
            {
                connection.AccessTokenProvider = () => Task.FromResult(credential());

                // SignalR pings at the protocol level (KeepAliveInterval); a WebSocket keep-alive would only add traffic.
                connection.WebSocketConfiguration = socket => socket.KeepAliveInterval = TimeSpan.Zero;
            })
            .WithServerTimeout(options.ServerTimeout)
            .WithKeepAliveInterval(options.KeepAliveInterval);
        switch (options.Protocol)
        {
            case AgentHubProtocol.MessagePack:
                builder.AddMessagePackProtocol(o => o.SerializerOptions = AgentHubMessagePack.Options);
                break;
            case AgentHubProtocol.Json:
                builder.AddJsonProtocol(json => FleetJson.Configure(json.PayloadSerializerOptions));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Protocol, "unknown hub protocol");
        }

        builder.Services.AddSingleton(loggerFactory);
        return builder.Build();
    }
}
