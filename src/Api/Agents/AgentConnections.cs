using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Fleet.Api.Agents;

/// <summary>
/// The agent connections of this Api process, by host: to drop a decommissioned host's agent at once, to hold each
/// host to <see cref="AgentHubOptions.MaxConnectionsPerHost"/>, and to number connections and the state reports on
/// each (<see cref="ReportOrder"/>), so reports are ordered by arrival rather than by the agent's clock.
/// </summary>
public sealed class AgentConnections
{
    private static readonly object s_orderKey = new();
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, Entry>> _byHost = new();
    private long _connections;

    /// <summary>The SignalR group every connection of a host joins (specs go to the group).</summary>
    public static string Group(Guid hostId) => "host:" + hostId.ToString("N");

    /// <summary>Hosts with at least one connection.</summary>
    public int ConnectedHosts => _byHost.Count(pair => !pair.Value.IsEmpty);

    /// <summary>The hosts with at least one connection to this process.</summary>
    public IReadOnlyList<Guid> ConnectedHostIds() => [.. _byHost.Where(pair => !pair.Value.IsEmpty).Select(pair => pair.Key)];

    /// <summary>The ids of the host's connections to this process.</summary>
    public IReadOnlyList<string> ConnectionIds(Guid hostId) =>
        _byHost.TryGetValue(hostId, out var connections) ? [.. connections.Keys] : [];

    /// <summary>Whether the host has a connection.</summary>
    public bool IsConnected(Guid hostId) => _byHost.TryGetValue(hostId, out var connections) && !connections.IsEmpty;

    /// <summary>
    /// Records a new connection of <paramref name="hostId"/> and returns the host's oldest connections beyond
    /// <paramref name="maxPerHost"/>, which the caller closes.
    /// </summary>
    public IReadOnlyList<HubCallerContext> Add(Guid hostId, HubCallerContext context, int maxPerHost)
    {
        var number = Interlocked.Increment(ref _connections);
        context.Items[s_orderKey] = new ReportCounter(number);
        var connections = _byHost.GetOrAdd(hostId, _ => new ConcurrentDictionary<string, Entry>());
        connections[context.ConnectionId] = new Entry(context, number);
        if (connections.Count <= maxPerHost)
        {
            return [];
        }

        var surplus = connections.Values.OrderBy(e => e.Number).Take(connections.Count - maxPerHost).ToList();
        foreach (var entry in surplus)
        {
            connections.TryRemove(entry.Context.ConnectionId, out _);
        }

        return [.. surplus.Select(e => e.Context)];
    }

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

        foreach (var entry in connections.Values)
        {
            entry.Context.Abort();
        }

        return connections.Count;
    }

    /// <summary>
    /// The place of a report that just arrived on <paramref name="context"/>: call first thing in the hub method. The
    /// hub starts an agent's invocations in the order they arrive and then runs them in parallel; the number taken
    /// before the first await keeps that order.
    /// </summary>
    public static ReportOrder NextReport(HubCallerContext context) =>
        context.Items.TryGetValue(s_orderKey, out var counter) && counter is ReportCounter c
            ? new ReportOrder(c.Connection, Interlocked.Increment(ref c.Reports))
            : new ReportOrder(0, 0);

    private sealed record Entry(HubCallerContext Context, long Number);

    private sealed class ReportCounter(long connection)
    {
        public long Reports;

        public long Connection { get; } = connection;
    }
}

/// <summary>
/// Where a report stands among an agent's reports: the connection it came on (numbered as they open, so a later
/// connection's reports are newer) and its arrival on that connection.
/// </summary>
/// <param name="Connection">The connection's number in this process.</param>
/// <param name="Sequence">The report's arrival on the connection, from 1.</param>
public readonly record struct ReportOrder(long Connection, long Sequence) : IComparable<ReportOrder>
{
    public int CompareTo(ReportOrder other) =>
        Connection != other.Connection ? Connection.CompareTo(other.Connection) : Sequence.CompareTo(other.Sequence);

    public static bool operator <(ReportOrder left, ReportOrder right) => left.CompareTo(right) < 0;

    public static bool operator >(ReportOrder left, ReportOrder right) => left.CompareTo(right) > 0;

    public static bool operator <=(ReportOrder left, ReportOrder right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ReportOrder left, ReportOrder right) => left.CompareTo(right) >= 0;
}
