using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Fleet.Api.Agents;

/// <summary>The agent connections of this Api process, by host: to drop a decommissioned host's agent at once.</summary>
public sealed class AgentConnections
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, HubCallerContext>> _byHost = new();

    /// <summary>The SignalR group every connection of a host joins (specs go to the group).</summary>
    public static string Group(Guid hostId) => "host:" + hostId.ToString("N");

    /// <summary>Hosts with at least one connection.</summary>
    public int ConnectedHosts => _byHost.Count(pair => !pair.Value.IsEmpty);

    /// <summary>Whether the host has a connection.</summary>
    public bool IsConnected(Guid hostId) => _byHost.TryGetValue(hostId, out var connections) && !connections.IsEmpty;

    public void Add(Guid hostId, HubCallerContext context) =>
        _byHost.GetOrAdd(hostId, _ => new ConcurrentDictionary<string, HubCallerContext>())[context.ConnectionId] = context;

    public void Remove(Guid hostId, string connectionId)
    {
        if (_byHost.TryGetValue(hostId, out var connections))
        {
            connections.TryRemove(connectionId, out _);
        }
    }

    /// <summary>Closes every connection of the host (its credential was revoked).</summary>
    public int Abort(Guid hostId)
    {
        if (!_byHost.TryRemove(hostId, out var connections))
        {
            return 0;
        }

        foreach (var context in connections.Values)
        {
            context.Abort();
        }

        return connections.Count;
    }
}
