using System.Text.Json.Serialization;

namespace Fleet.Contracts.Links;

/// <summary>
/// The desired state of one bonded link on one host: what the operator sets, what the Api stores as a policy
/// revision, and what the agent applies. Immutable; a change is a new spec with a new generation.
/// Validate with <see cref="Validation.LinkSpecValidator"/> before storing or applying it.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LinkSpec
{
    /// <summary>Default time the agent waits for the Api's confirmation before rolling a change back.</summary>
    public const int DefaultConfirmTimeoutSeconds = 30;

    /// <summary>The technology that bonds the members.</summary>
    public required LinkKind Kind { get; init; }

    /// <summary>
    /// Interface name of the bonded device (<c>bond0</c>, <c>teql0</c>, <c>str0</c>); for MPTCP, which has no device,
    /// the name that labels the endpoint set. A Linux interface name either way.
    /// </summary>
    public required string Name { get; init; }

    /// <summary>The member links, in priority order.</summary>
    public required IReadOnlyList<MemberSpec> Members { get; init; }

    /// <summary>Addresses (CIDR, e.g. <c>10.9.0.1/30</c>) on the bonded device. Not used by MPTCP.</summary>
    public IReadOnlyList<string> Addresses { get; init; } = [];

    /// <summary>Routes through the bonded device. Not used by MPTCP.</summary>
    public IReadOnlyList<RouteSpec> Routes { get; init; } = [];

    /// <summary>MTU of the bonded device; the backend's default when absent.</summary>
    public int? Mtu { get; init; }

    /// <summary>How long the agent waits for the Api's confirmation over the new state before it rolls back.</summary>
    public int ConfirmTimeoutSeconds { get; init; } = DefaultConfirmTimeoutSeconds;

    /// <summary>Whether the agent re-applies the spec when it detects drift (it always reports drift).</summary>
    public bool RepairDrift { get; init; }

    /// <summary>
    /// Whether the agent may take over a device of <see cref="Name"/> that exists on the host and that Fleet did not
    /// create (issue 10). Without it such a spec is refused (Failed, host untouched). An adopted device is never deleted:
    /// removing the link releases it (Fleet's configuration undone, the device and its earlier addresses left in place).
    /// Not for MPTCP, which has no device. Absent means false, and false is not written, so specs of agents and stored
    /// revisions from before the field read and write as they did.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Adopt { get; init; }

    /// <summary>Options for <see cref="LinkKind.Bond"/>; required for that kind, absent otherwise.</summary>
    public BondOptions? Bond { get; init; }

    /// <summary>Options for <see cref="LinkKind.Teql"/>; optional for that kind, absent otherwise.</summary>
    public TeqlOptions? Teql { get; init; }

    /// <summary>Options for <see cref="LinkKind.Mptcp"/>; optional for that kind, absent otherwise.</summary>
    public MptcpOptions? Mptcp { get; init; }

    /// <summary>Options for <see cref="LinkKind.Striper"/>; required for that kind, absent otherwise.</summary>
    public StriperOptions? Striper { get; init; }

    /// <summary>Options for <see cref="LinkKind.Aggregator"/>; required for that kind, absent otherwise.</summary>
    public Aggregators.AggregatorOptions? Aggregator { get; init; }
}

/// <summary>One member (uplink) of a bonded link.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MemberSpec
{
    /// <summary>The member's interface name on the host (<c>eth1</c>, <c>wwan0</c>, <c>vlan20</c>).</summary>
    public required string Interface { get; init; }

    /// <summary>Active, backup or disabled.</summary>
    public MemberAdminState AdminState { get; init; } = MemberAdminState.Active;

    /// <summary>Share of traffic for the weighted striper schedulers; must be &gt; 0 when given.</summary>
    public double? Weight { get; init; }

    /// <summary>Expected rate of this member in bit/s, a hint for schedulers and dashboards.</summary>
    public long? RateBitsPerSecond { get; init; }

    /// <summary>Expected one-way lag of this member in milliseconds, a hint for lag-aware schedulers.</summary>
    public int? LagMilliseconds { get; init; }

    /// <summary>
    /// The member's local IP address (no prefix): the MPTCP endpoint address, or the address the striper binds the
    /// path's UDP socket to. When absent the backend uses the interface's first address.
    /// </summary>
    public string? Address { get; init; }

    /// <summary>Striper: local UDP port of this path. A member with a local port listens; either end may listen.</summary>
    public int? LocalPort { get; init; }

    /// <summary>Striper: the peer's endpoint for this path (<c>203.0.113.7:7000</c>, <c>[2001:db8::7]:7000</c>).</summary>
    public string? Peer { get; init; }

    /// <summary>Teql: the IP address the agent probes through this member to judge its health.</summary>
    public string? ProbeTarget { get; init; }

    /// <summary>MPTCP: endpoint flags for this member's address.</summary>
    public IReadOnlyList<MptcpEndpointFlag> MptcpFlags { get; init; } = [];

    /// <summary>
    /// Striper: when this member carries data (<see cref="LinkTier"/>); null means the tier its admin state implies
    /// (<see cref="LinkTiers.Of"/>). Switchable live.
    /// </summary>
    public LinkTier? Tier { get; init; }

    /// <summary>
    /// A data cap on this member (a metered uplink): the Api counts its traffic over the current cycle from stored
    /// samples and alerts at 75 %, 95 % and 100 % (docs/alerts.md, "Data caps"). Any kind. The agent does not act on it.
    /// Absent is not written, so specs from before the field read and write as they did.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DataCap? Cap { get; init; }
}

/// <summary>A member's data allowance per billing cycle.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DataCap
{
    /// <summary>Most days a cycle start day may be: every month has it.</summary>
    public const int MaxCycleStartDay = 28;

    /// <summary>The allowance per cycle in bytes, received and sent together (how carriers count); &gt; 0.</summary>
    public required long Bytes { get; init; }

    /// <summary>The day of the month (1–28) the cycle starts on, at 00:00 UTC.</summary>
    public required int CycleStartDay { get; init; }

    /// <summary>
    /// The link's policy at 100 %: demote the member to backup (striper: tier backup; other kinds: admin state backup)
    /// through the normal spec change, audited and commit-confirmed. False: only alert.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool DemoteWhenExhausted { get; init; }

    /// <summary>The start of the cycle <paramref name="now"/> is in: the latest <see cref="CycleStartDay"/> at 00:00 UTC not after it.</summary>
    public DateTimeOffset CycleStart(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        var start = new DateTimeOffset(utc.Year, utc.Month, CycleStartDay, 0, 0, 0, TimeSpan.Zero);
        return start <= utc ? start : start.AddMonths(-1);
    }
}

/// <summary>A route through the bonded device.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RouteSpec
{
    /// <summary>Destination in CIDR form, or <c>default</c>.</summary>
    public required string Destination { get; init; }

    /// <summary>Next hop, when the destination is not on-link.</summary>
    public string? Via { get; init; }

    /// <summary>Route metric.</summary>
    public int? Metric { get; init; }
}

/// <summary>Kernel bonding options (<c>ip-link(8)</c>, bonding.rst).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record BondOptions
{
    /// <summary>The bonding mode.</summary>
    public required BondMode Mode { get; init; }

    /// <summary>MII link monitoring interval in ms; exclusive with ARP monitoring.</summary>
    public int? MiimonMs { get; init; }

    /// <summary>ARP monitoring interval in ms; requires <see cref="ArpIpTargets"/>; exclusive with MII monitoring.</summary>
    public int? ArpIntervalMs { get; init; }

    /// <summary>IPv4 addresses the ARP monitor probes (1–16).</summary>
    public IReadOnlyList<string> ArpIpTargets { get; init; } = [];

    /// <summary>Delay before a member that came up is used, in ms (a multiple of miimon).</summary>
    public int? UpdelayMs { get; init; }

    /// <summary>Delay before a member that went down is dropped, in ms (a multiple of miimon).</summary>
    public int? DowndelayMs { get; init; }

    /// <summary>Preferred member (active-backup, balance-tlb, balance-alb); one of the link's members.</summary>
    public string? Primary { get; init; }

    /// <summary>Transmit hash policy (balance-xor, 802.3ad, balance-tlb).</summary>
    public BondXmitHashPolicy? XmitHashPolicy { get; init; }

    /// <summary>LACPDU rate (802.3ad only).</summary>
    public BondLacpRate? LacpRate { get; init; }

    /// <summary>Explicit MAC address of the bond (unicast, <c>02:00:00:00:00:01</c>).</summary>
    public string? MacAddress { get; init; }
}

/// <summary>Teql options. teql has no health of its own: the agent probes each member's <see cref="MemberSpec.ProbeTarget"/>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TeqlOptions
{
    /// <summary>How often the agent probes each member, in ms.</summary>
    public int ProbeIntervalMs { get; init; } = 1000;

    /// <summary>Consecutive failed probes after which a member's qdisc is removed.</summary>
    public int DownAfterFailedProbes { get; init; } = 3;
}

/// <summary>MPTCP options (<c>ip mptcp limits</c>, optional service wrapping with <c>mptcpize</c>).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MptcpOptions
{
    /// <summary>Maximum additional subflows per connection (<c>ip mptcp limits set subflows</c>), 0–8.</summary>
    public int SubflowsLimit { get; init; } = 2;

    /// <summary>Maximum ADD_ADDR announcements accepted per connection, 0–8.</summary>
    public int AddAddrAcceptedLimit { get; init; } = 2;

    /// <summary>systemd services to run under <c>mptcpize</c> through a drop-in (e.g. <c>nginx.service</c>).</summary>
    public IReadOnlyList<string> MptcpizeServices { get; init; } = [];
}

/// <summary>Options of Fleet's userspace striper (docs/striper-protocol.md).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record StriperOptions
{
    /// <summary>The scheduling method; switchable while traffic flows.</summary>
    public StripeSchedulerKind Scheduler { get; init; } = StripeSchedulerKind.Weighted;

    /// <summary>Scheduler parameters by name (see the validator for the names each scheduler accepts).</summary>
    public IReadOnlyDictionary<string, double> SchedulerParameters { get; init; } = new Dictionary<string, double>();

    /// <summary>The link's pre-shared key, base64 of exactly 32 bytes. Secret: never logged.</summary>
    public required string Key { get; init; }

    /// <summary>The AEAD that seals packets.</summary>
    public StriperCipher Cipher { get; init; } = StriperCipher.Aes256Gcm;

    /// <summary>
    /// This site's id at an aggregator (1 … 2³¹ − 1), carried in its hellos so the aggregator finds the site's key with
    /// one lookup; null on a point-to-point link (docs/striper-protocol.md, "Aggregator").
    /// </summary>
    public int? SiteId { get; init; }

    /// <summary>Health probe interval per path, in ms.</summary>
    public int ProbeIntervalMs { get; init; } = 100;

    /// <summary>Upper bound of the resequencing hold time, in ms.</summary>
    public int MaxHoldMs { get; init; } = 200;

    /// <summary>Seconds between rekeys.</summary>
    public int RekeyIntervalSeconds { get; init; } = 600;

    /// <summary>Consecutive unanswered probes after which a path is down (it is degraded after the first).</summary>
    public int DownAfterMissedProbes { get; init; } = 3;

    /// <summary>Consecutive answered probes before a down path carries traffic again (hysteresis).</summary>
    public int UpAfterProbes { get; init; } = 3;

    /// <summary>Loss in percent, as the receiver reports it, above which a path counts as degraded.</summary>
    public double DegradedLossPercent { get; init; } = 20;

    /// <summary>
    /// Traffic classes in order: a packet belongs to the first class whose match takes it, else to the default class
    /// (the link's <see cref="Scheduler"/>). At most 32; switchable live (docs/striper-protocol.md, "Traffic classes").
    /// </summary>
    public IReadOnlyList<TrafficClassSpec> Classes { get; init; } = [];
}
