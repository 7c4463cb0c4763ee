using System.Net;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends.Mptcp;

/// <summary>What <see cref="MptcpBackend"/> saw: path manager state, subflows, counters, monitor events, and per member.</summary>
/// <param name="Link">The observation every backend reports.</param>
/// <param name="Enabled"><c>net.mptcp.enabled</c> is 1.</param>
/// <param name="Limits">The path manager's limits.</param>
/// <param name="Endpoints">All endpoints in the namespace (not only the link's).</param>
/// <param name="Subflows">Subflows whose local address is a member's.</param>
/// <param name="Connections">MPTCP connections in the namespace.</param>
/// <param name="Counters"><c>MPTcpExt*</c> counters by name (prefix removed), host- or namespace-wide.</param>
/// <param name="Events">Monitor events about the link's members since the previous observation.</param>
/// <param name="Members">Per member, in spec order.</param>
public sealed record MptcpObservation(
    LinkObservation Link,
    bool Enabled,
    MptcpLimits? Limits,
    IReadOnlyList<MptcpEndpoint> Endpoints,
    IReadOnlyList<MptcpSubflowSocket> Subflows,
    IReadOnlyList<MptcpConnectionSocket> Connections,
    IReadOnlyDictionary<string, long> Counters,
    IReadOnlyList<MptcpEvent> Events,
    IReadOnlyList<MptcpMemberState> Members)
{
    /// <summary>The state of member <paramref name="name"/>.</summary>
    public MptcpMemberState Member(string name) => Members.First(m => m.Interface == name);
}

/// <summary>One MPTCP member: its endpoint, its subflows and their numbers, its interface counters.</summary>
public sealed record MptcpMemberState
{
    /// <summary>Interface name.</summary>
    public required string Interface { get; init; }

    /// <summary>Health from the link state, the endpoint and the monitor's subflow events.</summary>
    public required MemberHealth Health { get; init; }

    /// <summary>The member's address (the spec's, or the interface's first).</summary>
    public IPAddress? Address { get; init; }

    /// <summary>The member's endpoint, if present.</summary>
    public MptcpEndpoint? Endpoint { get; init; }

    /// <summary>Established subflows from the member's address.</summary>
    public int Subflows { get; init; }

    /// <summary>Of those, the ones that are backups (either side asked).</summary>
    public int BackupSubflows { get; init; }

    /// <summary>Smallest smoothed RTT of its subflows, in ms.</summary>
    public double? RttMs { get; init; }

    /// <summary>Bytes its subflows sent (retransmissions included).</summary>
    public ulong SubflowBytesSent { get; init; }

    /// <summary>Bytes its subflows received.</summary>
    public ulong SubflowBytesReceived { get; init; }

    /// <summary>The last subflow event from the monitor for its address.</summary>
    public MptcpEvent? LastSubflowEvent { get; init; }

    /// <summary>Interface counters.</summary>
    public MemberCounters Counters { get; init; }

    /// <summary>One line for operators.</summary>
    public required string Detail { get; init; }
}
