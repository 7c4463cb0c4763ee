using Fleet.Api.Replication;
using Fleet.Contracts.Agents;
using Microsoft.AspNetCore.SignalR;

namespace Fleet.Api.Agents;

/// <summary>
/// Sends one message to a host's agents wherever they are connected: to this replica's connections directly (no
/// Redis involved, so a replica keeps serving its own agents while Redis is away), and with the backplane to the
/// host's group on the other replicas. A push the backplane loses is not an error for the caller: the replica holding
/// the agent sends pending specs again (<see cref="PendingSpecResend"/>).
/// </summary>
public sealed partial class HostAgentsPush(
    IHubContext<AgentHub, IAgentClient> hub,
    AgentConnections connections,
    ReplicaTopology topology,
    ILogger<HostAgentsPush> logger)
{
    /// <summary>Longest wait for the backplane to take a push (Redis queues while it reconnects; callers must not stall).</summary>
    public static readonly TimeSpan BackplaneTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Sends to the host's agents on every replica: awaits this replica's own connections, and hands the push to the
    /// backplane without waiting for it (a rollout of many links must not wait out the timeout once per link while Redis
    /// is away; a lost push is resent by <see cref="PendingSpecResend"/>).
    /// </summary>
    public async Task ToHostAsync(Guid hostId, Func<IAgentClient, Task> send)
    {
        var local = await ToLocalAsync(hostId, send);
        if (topology.Backplane)
        {
            _ = ToOtherReplicasAsync(hostId, send, local);
        }
    }

    private async Task ToOtherReplicasAsync(Guid hostId, Func<IAgentClient, Task> send, IReadOnlyList<string> local)
    {
        try
        {
            await send(hub.Clients.GroupExcept(AgentConnections.Group(hostId), local)).WaitAsync(BackplaneTimeout);
        }
        catch (Exception ex)
        {
            LogBackplaneFailed(hostId, ex.Message);
        }
    }

    /// <summary>Sends to the host's agents connected to this replica; returns their connection ids.</summary>
    public async Task<IReadOnlyList<string>> ToLocalAsync(Guid hostId, Func<IAgentClient, Task> send)
    {
        var local = connections.ConnectionIds(hostId);
        foreach (var connectionId in local)
        {
            await send(hub.Clients.Client(connectionId));
        }

        return local;
    }

    [LoggerMessage(EventId = 3043, Level = LogLevel.Warning, Message = "A push to host {HostId}'s agents on the other replicas failed ({Error}); the replica holding the agent sends pending specs again")]
    private partial void LogBackplaneFailed(Guid hostId, string error);
}
