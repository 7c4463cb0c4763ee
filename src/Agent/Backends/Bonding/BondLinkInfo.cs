using System.Text.Json;
using Fleet.Agent.Backends.Kernel;

namespace Fleet.Agent.Backends.Bonding;

/// <summary>A bond's options as <c>ip -d -j link show</c> reports them (<c>linkinfo.info_data</c> of kind <c>bond</c>).</summary>
public sealed record BondLinkInfo
{
    /// <summary>Kernel mode name (<c>balance-rr</c>, <c>802.3ad</c>).</summary>
    public required string Mode { get; init; }

    /// <summary>The member carrying traffic (active-backup, balance-tlb, balance-alb).</summary>
    public string? ActiveSlave { get; init; }

    /// <summary>MII monitoring interval in ms (0 when off).</summary>
    public int Miimon { get; init; }

    /// <summary>Up delay in ms.</summary>
    public int Updelay { get; init; }

    /// <summary>Down delay in ms.</summary>
    public int Downdelay { get; init; }

    /// <summary>ARP monitoring interval in ms (0 when off).</summary>
    public int ArpInterval { get; init; }

    /// <summary>ARP targets.</summary>
    public IReadOnlyList<string> ArpIpTargets { get; init; } = [];

    /// <summary>Configured primary member.</summary>
    public string? Primary { get; init; }

    /// <summary>Transmit hash policy name (<c>layer2</c>, <c>layer3+4</c>).</summary>
    public string? XmitHashPolicy { get; init; }

    /// <summary>802.3ad LACP rate (<c>slow</c>, <c>fast</c>).</summary>
    public string? LacpRate { get; init; }

    /// <summary>802.3ad: the active aggregator's id.</summary>
    public int? ActiveAggregatorId { get; init; }

    /// <summary>802.3ad: the partner's system MAC.</summary>
    public string? PartnerMac { get; init; }

    /// <summary>Reads the bond options of <paramref name="link"/>; null when it is not a bond.</summary>
    public static BondLinkInfo? From(IpLink link)
    {
        if (link.Kind != "bond" || link.InfoData is not { } data || Json.String(data, "mode") is not { } mode)
        {
            return null;
        }

        data.TryGetProperty("ad_info", out var adInfo);
        return new BondLinkInfo
        {
            Mode = mode,
            ActiveSlave = Json.String(data, "active_slave"),
            Miimon = (int)(Json.Number(data, "miimon") ?? 0),
            Updelay = (int)(Json.Number(data, "updelay") ?? 0),
            Downdelay = (int)(Json.Number(data, "downdelay") ?? 0),
            ArpInterval = (int)(Json.Number(data, "arp_interval") ?? 0),
            ArpIpTargets = Json.Strings(data, "arp_ip_target"),
            Primary = Json.String(data, "primary"),
            XmitHashPolicy = Json.String(data, "xmit_hash_policy"),
            LacpRate = Json.String(data, "ad_lacp_rate"),
            ActiveAggregatorId = adInfo.ValueKind == JsonValueKind.Object ? (int?)Json.Number(adInfo, "aggregator") : null,
            PartnerMac = adInfo.ValueKind == JsonValueKind.Object ? Json.String(adInfo, "partner_mac") : null,
        };
    }
}

/// <summary>A member's state in its bond as <c>ip -d -j link show</c> reports it (<c>linkinfo.info_slave_data</c>).</summary>
public sealed record BondMemberInfo
{
    /// <summary><c>ACTIVE</c> or <c>BACKUP</c>.</summary>
    public string? State { get; init; }

    /// <summary><c>UP</c>, <c>DOWN</c>, <c>GOING_DOWN</c>, <c>GOING_BACK</c>.</summary>
    public string? MiiStatus { get; init; }

    /// <summary>How often the bond saw this member's link fail.</summary>
    public int LinkFailureCount { get; init; }

    /// <summary>The member's own MAC.</summary>
    public string? PermanentAddress { get; init; }

    /// <summary>802.3ad: the aggregator this port belongs to.</summary>
    public int? AggregatorId { get; init; }

    /// <summary>802.3ad: this side's port state.</summary>
    public LacpPortState? ActorState { get; init; }

    /// <summary>802.3ad: the partner's port state.</summary>
    public LacpPortState? PartnerState { get; init; }

    /// <summary>Reads the member state of <paramref name="link"/>; null when it is not a bond member.</summary>
    public static BondMemberInfo? From(IpLink link)
    {
        if (link.SlaveKind != "bond" || link.SlaveData is not { } data)
        {
            return null;
        }

        return new BondMemberInfo
        {
            State = Json.String(data, "state"),
            MiiStatus = Json.String(data, "mii_status"),
            LinkFailureCount = (int)(Json.Number(data, "link_failure_count") ?? 0),
            PermanentAddress = Json.String(data, "perm_hwaddr"),
            AggregatorId = (int?)Json.Number(data, "ad_aggregator_id"),
            ActorState = Json.Number(data, "ad_actor_oper_port_state") is { } actor ? (LacpPortState)actor : null,
            PartnerState = Json.Number(data, "ad_partner_oper_port_state") is { } partner ? (LacpPortState)partner : null,
        };
    }
}
