using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends.Bonding;

/// <summary>What <see cref="BondBackend"/> saw of a bond, with everything it read per member.</summary>
/// <param name="Link">The observation every backend reports.</param>
/// <param name="Info">The bond's options as the kernel has them; null when the bond does not exist.</param>
/// <param name="Status">The driver's status file; null when it could not be read.</param>
/// <param name="Members">Per member, in spec order.</param>
public sealed record BondObservation(LinkObservation Link, BondLinkInfo? Info, BondProcStatus? Status, IReadOnlyList<BondMemberState> Members)
{
    /// <summary>The member carrying traffic in active-backup, balance-tlb and balance-alb.</summary>
    public string? ActiveMember => Info?.ActiveSlave ?? Status?.CurrentlyActiveSlave;

    /// <summary>The state of member <paramref name="name"/>.</summary>
    public BondMemberState Member(string name) => Members.First(m => m.Interface == name);
}

/// <summary>One member of a bond as the kernel reports it.</summary>
public sealed record BondMemberState
{
    /// <summary>Interface name.</summary>
    public required string Interface { get; init; }

    /// <summary>Health from MII status and, for 802.3ad, the LACP state.</summary>
    public required MemberHealth Health { get; init; }

    /// <summary>The interface is enslaved to this bond.</summary>
    public bool Enslaved { get; init; }

    /// <summary><c>ACTIVE</c> or <c>BACKUP</c> in the bond.</summary>
    public string? State { get; init; }

    /// <summary><c>UP</c>, <c>DOWN</c>, <c>GOING_DOWN</c>, <c>GOING_BACK</c>.</summary>
    public string? MiiStatus { get; init; }

    /// <summary>Link failures the bond counted.</summary>
    public int LinkFailureCount { get; init; }

    /// <summary>Speed in Mbit/s, when known.</summary>
    public int? SpeedMbps { get; init; }

    /// <summary>Duplex, when known.</summary>
    public string? Duplex { get; init; }

    /// <summary>802.3ad aggregator id.</summary>
    public int? AggregatorId { get; init; }

    /// <summary>802.3ad actor port state.</summary>
    public LacpPortState? ActorState { get; init; }

    /// <summary>802.3ad partner port state.</summary>
    public LacpPortState? PartnerState { get; init; }

    /// <summary>Interface counters.</summary>
    public MemberCounters Counters { get; init; }

    /// <summary>One line for operators.</summary>
    public required string Detail { get; init; }
}
