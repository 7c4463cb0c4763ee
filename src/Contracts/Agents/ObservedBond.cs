namespace Fleet.Contracts.Agents;

/// <summary>
/// What the bonding driver reports of a kernel bond that changes rarely and that the doctor judges (docs/doctor.md,
/// "Bond"): the link monitor in force and, per member, its link speed and its 802.3ad aggregation. Reported with the
/// link's state (<see cref="ObservedLinkState.Bond"/>) when it changes, not with every sample.
/// </summary>
public sealed record ObservedBond
{
    /// <summary>MII monitoring interval in ms as the kernel has it (0: off). An adopted bond may run without one.</summary>
    public int MiimonMs { get; init; }

    /// <summary>ARP monitoring interval in ms as the kernel has it (0: off).</summary>
    public int ArpIntervalMs { get; init; }

    /// <summary>802.3ad: the aggregator carrying the bond's traffic; null in other modes.</summary>
    public int? ActiveAggregatorId { get; init; }

    /// <summary>The members the driver lists, in its order.</summary>
    public IReadOnlyList<ObservedBondMember> Members { get; init; } = [];

    /// <summary>Equal by content, members included, so the agent reports only a change.</summary>
    public bool Equals(ObservedBond? other) =>
        other is not null && MiimonMs == other.MiimonMs && ArpIntervalMs == other.ArpIntervalMs
        && ActiveAggregatorId == other.ActiveAggregatorId && Members.SequenceEqual(other.Members);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(MiimonMs, ArpIntervalMs, ActiveAggregatorId, Members.Count);
}

/// <summary>One member of an <see cref="ObservedBond"/>.</summary>
public sealed record ObservedBondMember
{
    /// <summary>The member's interface name.</summary>
    public required string Member { get; init; }

    /// <summary>Link speed in Mbit/s as the driver reports it; null when unknown (a virtual interface, the link down).</summary>
    public int? SpeedMbps { get; init; }

    /// <summary>802.3ad: the aggregator the port belongs to; null in other modes.</summary>
    public int? AggregatorId { get; init; }

    /// <summary>
    /// 802.3ad: the partner's system MAC as the port's last LACPDU gave it; <c>00:00:00:00:00:00</c> when the port has
    /// received none (no LACP on the switch port). Null in other modes.
    /// </summary>
    public string? PartnerMacAddress { get; init; }
}
