using System.Data.Common;
using Fleet.Api.Data;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Agents;

/// <summary>
/// Whether a host's agent is connected now (REST <c>online</c> and <c>connectedSince</c>, the host page's
/// "connected"), which <c>lastSeenAt</c> alone cannot tell: it is written every 15 s at most, and an agent without
/// links sends nothing between hellos. The hello of a connection writes <c>hosts.connected_since</c>; its close clears it
/// unless a newer connection took over (its hello wrote a later time) or this replica still holds another one. A replica
/// that dies cannot clear its hosts, so a host also needs a recent <c>last_seen_at</c>: the replica holding a connection
/// refreshes that for every host connected to it (<see cref="HostActivity"/>), and a host whose replica stopped doing so
/// reads offline after <see cref="Grace"/>; its agent reconnects to another replica meanwhile.
/// </summary>
public sealed partial class HostPresence(AgentConnections connections, IDbContextFactory<FleetDbContext> contexts, ILogger<HostPresence> logger)
{
    /// <summary>How stale <c>last_seen_at</c> may be for a connected host: three of <see cref="HostActivity.LastSeenInterval"/>.</summary>
    public static readonly TimeSpan Grace = 3 * HostActivity.LastSeenInterval;

    private static readonly object s_connectedSinceKey = new();

    /// <summary>The one rule: connected since <paramref name="connectedSince"/>, and the connection's replica still alive.</summary>
    public static bool IsOnline(DateTime? connectedSince, DateTime? lastSeenAt, DateTimeOffset now) =>
        connectedSince is not null && lastSeenAt is { } seen && now.UtcDateTime - seen <= Grace;

    /// <summary>The value a hello writes to <c>connected_since</c>, remembered on the connection for its close.</summary>
    public static DateTime Connected(HubCallerContext context, DateTimeOffset now)
    {
        var ticks = now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMillisecond);
        var since = UtcDateTimeConverter.ToStore(new DateTime(ticks, DateTimeKind.Utc));
        context.Items[s_connectedSinceKey] = since;
        return since;
    }

    /// <summary>A connection closed: clears <c>connected_since</c> unless another connection of the host took over.</summary>
    public async Task DisconnectedAsync(Guid hostId, HubCallerContext context)
    {
        if (!context.Items.TryGetValue(s_connectedSinceKey, out var value) || value is not DateTime since || connections.IsConnected(hostId))
        {
            return;
        }

        try
        {
            await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
            await db.Hosts.Where(h => h.Id == hostId && h.ConnectedSince == since)
                .ExecuteUpdateAsync(s => s.SetProperty(h => h.ConnectedSince, (DateTime?)null), CancellationToken.None);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException)
        {
            // The database is away (an outage, the Api stopping): the host still reads offline once its last_seen_at is
            // older than Grace, since no replica refreshes it for a connection that is gone.
            LogClearFailed(hostId, ex.Message);
        }
    }

    [LoggerMessage(EventId = 3058, Level = LogLevel.Warning, Message = "Host {HostId}: recording the end of its agent's connection failed ({Error}); it reads offline within the grace period")]
    private partial void LogClearFailed(Guid hostId, string error);
}
