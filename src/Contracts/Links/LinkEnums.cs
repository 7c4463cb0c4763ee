using System.Text.Json.Serialization;

namespace Fleet.Contracts.Links;

/// <summary>The technology that bonds a link's members.</summary>
public enum LinkKind
{
    /// <summary>Linux kernel bonding driver (<c>ip link … type bond</c>).</summary>
    Bond,

    /// <summary>Linux trivial link equalizer (<c>sch_teql</c>).</summary>
    Teql,

    /// <summary>Multipath TCP endpoints (<c>ip mptcp endpoint</c>).</summary>
    Mptcp,

    /// <summary>Fleet's userspace striper: a TUN device and one UDP path per member.</summary>
    Striper,

    /// <summary>
    /// A striper aggregator: one TUN device and one UDP port serving many sites, each site a striper link of its own
    /// host (docs/aggregator.md).
    /// </summary>
    Aggregator,
}

/// <summary>Where a link's rollout stands. Set to Pending by the Api; every other phase is reported by the agent.</summary>
public enum LinkPhase
{
    /// <summary>A new generation is desired and has not reached the agent yet.</summary>
    Pending,

    /// <summary>The agent is applying the generation or waiting for the Api's confirmation over the new state.</summary>
    Applying,

    /// <summary>The generation is applied and confirmed.</summary>
    Applied,

    /// <summary>The agent refused or could not apply the generation; the previous state is kept.</summary>
    Failed,

    /// <summary>The agent applied the generation, got no confirmation in time, and restored the previous state.</summary>
    RolledBack,

    /// <summary>The host's actual state no longer matches the applied generation (someone changed it by hand).</summary>
    Drifted,
}

/// <summary>What the operator wants a member to do.</summary>
public enum MemberAdminState
{
    /// <summary>Carries traffic.</summary>
    Active,

    /// <summary>Carries traffic only when no active member is healthy.</summary>
    Backup,

    /// <summary>Carries no traffic.</summary>
    Disabled,
}

/// <summary>A member's health as observed on the host.</summary>
public enum MemberHealth
{
    /// <summary>Not observed yet.</summary>
    Unknown,

    /// <summary>Passing traffic normally.</summary>
    Up,

    /// <summary>Passing traffic with loss, missed probes or errors.</summary>
    Degraded,

    /// <summary>Not passing traffic.</summary>
    Down,
}

/// <summary>Kernel bonding modes (<c>Documentation/networking/bonding.rst</c>).</summary>
public enum BondMode
{
    /// <summary>Round robin over all members.</summary>
    [JsonStringEnumMemberName("balance-rr")]
    BalanceRoundRobin,

    /// <summary>One active member, the others on standby.</summary>
    [JsonStringEnumMemberName("active-backup")]
    ActiveBackup,

    /// <summary>Member chosen by a hash of the packet (see <see cref="BondXmitHashPolicy"/>).</summary>
    [JsonStringEnumMemberName("balance-xor")]
    BalanceXor,

    /// <summary>IEEE 802.3ad dynamic link aggregation (LACP).</summary>
    [JsonStringEnumMemberName("802.3ad")]
    Ieee8023ad,

    /// <summary>Adaptive transmit load balancing.</summary>
    [JsonStringEnumMemberName("balance-tlb")]
    BalanceTlb,

    /// <summary>Adaptive load balancing (transmit and receive).</summary>
    [JsonStringEnumMemberName("balance-alb")]
    BalanceAlb,
}

/// <summary>Bonding <c>xmit_hash_policy</c>.</summary>
public enum BondXmitHashPolicy
{
    /// <summary>MAC addresses.</summary>
    [JsonStringEnumMemberName("layer2")]
    Layer2,

    /// <summary>MAC and IP addresses.</summary>
    [JsonStringEnumMemberName("layer2+3")]
    Layer23,

    /// <summary>IP addresses and ports.</summary>
    [JsonStringEnumMemberName("layer3+4")]
    Layer34,

    /// <summary>Inner MAC and IP of encapsulated traffic.</summary>
    [JsonStringEnumMemberName("encap2+3")]
    Encap23,

    /// <summary>Inner IP and ports of encapsulated traffic.</summary>
    [JsonStringEnumMemberName("encap3+4")]
    Encap34,

    /// <summary>VLAN id and source MAC.</summary>
    [JsonStringEnumMemberName("vlan+srcmac")]
    VlanSrcMac,
}

/// <summary>Bonding <c>lacp_rate</c> for 802.3ad.</summary>
public enum BondLacpRate
{
    /// <summary>LACPDUs every 30 s.</summary>
    Slow,

    /// <summary>LACPDUs every second.</summary>
    Fast,
}

/// <summary>MPTCP endpoint flags (<c>ip-mptcp(8)</c>).</summary>
public enum MptcpEndpointFlag
{
    /// <summary>Announce this address to the peer (ADD_ADDR).</summary>
    Signal,

    /// <summary>Create a subflow from this address.</summary>
    Subflow,

    /// <summary>Subflows over this endpoint are backup subflows.</summary>
    Backup,

    /// <summary>Create a subflow from this address to every address the peer announced.</summary>
    Fullmesh,
}

/// <summary>The striper's scheduling methods (DESIGN.md, "The userspace striper").</summary>
public enum StripeSchedulerKind
{
    /// <summary>Packets in turn over the usable paths.</summary>
    RoundRobin,

    /// <summary>Surplus (deficit) round robin by bytes, with weights from the spec.</summary>
    Weighted,

    /// <summary>Weighted, with a priority that decays as a path is used (IPEQL bw_poll).</summary>
    BwPoll,

    /// <summary>The path on which the packet is predicted to arrive first (IPEQL bw_lag_val).</summary>
    EarliestArrival,

    /// <summary>Bandwidth-weighted with lag ordering (IPEQL bw_lag).</summary>
    BwLag,

    /// <summary>Weights from rate, RTT and loss measured live (IPEQL auto_bw).</summary>
    Adaptive,

    /// <summary>Each packet on the best paths (two by default) or on all paths.</summary>
    Redundant,

    /// <summary>All traffic on the best active path; backup paths only when no active path is up.</summary>
    ActiveBackup,
}

/// <summary>The AEAD that seals striper packets.</summary>
public enum StriperCipher
{
    /// <summary>AES-256 in Galois/Counter Mode.</summary>
    [JsonStringEnumMemberName("aes_256_gcm")]
    Aes256Gcm,

    /// <summary>ChaCha20-Poly1305 (RFC 8439).</summary>
    [JsonStringEnumMemberName("chacha20_poly1305")]
    ChaCha20Poly1305,
}
