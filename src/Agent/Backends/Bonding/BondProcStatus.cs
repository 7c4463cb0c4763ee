using System.Globalization;

namespace Fleet.Agent.Backends.Bonding;

/// <summary>
/// The bonding driver's status file <c>/proc/net/bonding/BOND</c> (drivers/net/bonding/bond_procfs.c): the only
/// place that shows each member's speed and duplex and the full LACP exchange in one read.
/// </summary>
public sealed record BondProcStatus
{
    /// <summary>Mode as the driver words it (<c>fault-tolerance (active-backup)</c>).</summary>
    public string? Mode { get; init; }

    /// <summary>Configured primary member.</summary>
    public string? PrimarySlave { get; init; }

    /// <summary>The member carrying traffic in active-backup, balance-tlb and balance-alb.</summary>
    public string? CurrentlyActiveSlave { get; init; }

    /// <summary>The bond's MII status (<c>up</c> when any member is usable).</summary>
    public string? MiiStatus { get; init; }

    /// <summary>MII polling interval in ms (0: MII monitoring off).</summary>
    public int? MiiPollingIntervalMs { get; init; }

    /// <summary>Up delay in ms.</summary>
    public int? UpDelayMs { get; init; }

    /// <summary>Down delay in ms.</summary>
    public int? DownDelayMs { get; init; }

    /// <summary>ARP monitoring interval in ms, when ARP monitoring is on.</summary>
    public int? ArpPollingIntervalMs { get; init; }

    /// <summary>ARP targets.</summary>
    public IReadOnlyList<string> ArpIpTargets { get; init; } = [];

    /// <summary>Transmit hash policy (<c>layer3+4 (1)</c>), shown for the modes that hash.</summary>
    public string? TransmitHashPolicy { get; init; }

    /// <summary>802.3ad: LACP rate (<c>slow</c>, <c>fast</c>).</summary>
    public string? LacpRate { get; init; }

    /// <summary>802.3ad: the aggregator carrying traffic.</summary>
    public int? ActiveAggregatorId { get; init; }

    /// <summary>802.3ad: ports in the active aggregator.</summary>
    public int? ActiveAggregatorPorts { get; init; }

    /// <summary>802.3ad: the partner's system MAC as seen by the active aggregator.</summary>
    public string? PartnerMacAddress { get; init; }

    /// <summary>Members, in enslavement order.</summary>
    public IReadOnlyList<BondProcMember> Members { get; init; } = [];

    /// <summary>The member named <paramref name="name"/>, if enslaved.</summary>
    public BondProcMember? Member(string name)
    {
        foreach (var member in Members)
        {
            if (member.Name == name)
            {
                return member;
            }
        }

        return null;
    }

    /// <summary>Parses the file's text. Unknown lines are ignored, so newer kernels' additions do not break it.</summary>
    public static BondProcStatus Parse(string text)
    {
        var status = new BondProcStatus();
        var members = new List<BondProcMember>();
        BondProcMember? member = null;
        LacpPortDetails? details = null;
        var detailsOfActor = false;
        var inActiveAggregator = false;

        void FlushDetails()
        {
            if (member is not null && details is not null)
            {
                member = detailsOfActor ? member with { Actor = details } : member with { Partner = details };
            }

            details = null;
        }

        void FlushMember()
        {
            FlushDetails();
            if (member is not null)
            {
                members.Add(member);
            }

            member = null;
        }

        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd();
            if (line.Length == 0)
            {
                continue;
            }

            var indented = line.StartsWith(' ') || line.StartsWith('\t');
            var trimmed = line.Trim();
            if (trimmed is "details actor lacp pdu:" or "details partner lacp pdu:")
            {
                FlushDetails();
                details = new LacpPortDetails();
                detailsOfActor = trimmed.Contains("actor", StringComparison.Ordinal);
                continue;
            }

            if (trimmed == "Active Aggregator Info:")
            {
                inActiveAggregator = true;
                continue;
            }

            var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var key = trimmed[..colon].Trim();
            var value = trimmed[(colon + 1)..].Trim();

            if (details is not null && indented)
            {
                details = key switch
                {
                    "system priority" => details with { SystemPriority = Int(value) },
                    "system mac address" => details with { SystemMacAddress = value },
                    "port key" or "oper key" => details with { Key = Int(value) },
                    "port priority" => details with { PortPriority = Int(value) },
                    "port number" => details with { PortNumber = Int(value) },
                    "port state" => details with { PortState = Int(value) is { } state ? (LacpPortState)state : null },
                    _ => details,
                };
                continue;
            }

            if (key == "Slave Interface")
            {
                FlushMember();
                inActiveAggregator = false;
                member = new BondProcMember { Name = value };
                continue;
            }

            if (member is not null)
            {
                FlushDetails();
                member = key switch
                {
                    "MII Status" => member with { MiiStatus = value },
                    "Speed" => member with { SpeedMbps = LeadingInt(value) },
                    "Duplex" => member with { Duplex = value },
                    "Link Failure Count" => member with { LinkFailureCount = Int(value) ?? 0 },
                    "Permanent HW addr" => member with { PermanentAddress = value },
                    "Slave queue ID" => member with { QueueId = Int(value) },
                    "Aggregator ID" => member with { AggregatorId = Int(value) },
                    "Actor Churn State" => member with { ActorChurnState = value },
                    "Partner Churn State" => member with { PartnerChurnState = value },
                    "Actor Churned Count" => member with { ActorChurnedCount = Int(value) },
                    "Partner Churned Count" => member with { PartnerChurnedCount = Int(value) },
                    _ => member,
                };
                continue;
            }

            if (inActiveAggregator && indented)
            {
                status = key switch
                {
                    "Aggregator ID" => status with { ActiveAggregatorId = Int(value) },
                    "Number of ports" => status with { ActiveAggregatorPorts = Int(value) },
                    "Partner Mac Address" => status with { PartnerMacAddress = value },
                    _ => status,
                };
                continue;
            }

            inActiveAggregator = false;
            status = key switch
            {
                "Bonding Mode" => status with { Mode = value },
                "Primary Slave" => status with { PrimarySlave = FirstWord(value) is "None" ? null : FirstWord(value) },
                "Currently Active Slave" => status with { CurrentlyActiveSlave = value == "None" ? null : value },
                "MII Status" => status with { MiiStatus = value },
                "MII Polling Interval (ms)" => status with { MiiPollingIntervalMs = Int(value) },
                "Up Delay (ms)" => status with { UpDelayMs = Int(value) },
                "Down Delay (ms)" => status with { DownDelayMs = Int(value) },
                "ARP Polling Interval (ms)" => status with { ArpPollingIntervalMs = Int(value) },
                "ARP IP target/s (n.n.n.n form)" => status with
                {
                    ArpIpTargets = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                },
                "Transmit Hash Policy" => status with { TransmitHashPolicy = value },
                "LACP rate" => status with { LacpRate = value },
                _ => status,
            };
        }

        FlushMember();
        return status with { Members = members };
    }

    private static string FirstWord(string value)
    {
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? value : value[..space];
    }

    private static int? Int(string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;

    private static int? LeadingInt(string value) => Int(FirstWord(value));
}

/// <summary>One member's block in <c>/proc/net/bonding/BOND</c>.</summary>
public sealed record BondProcMember
{
    /// <summary>Interface name.</summary>
    public required string Name { get; init; }

    /// <summary><c>up</c>, <c>down</c>, <c>going down</c>, <c>going back</c>.</summary>
    public string? MiiStatus { get; init; }

    /// <summary>Link speed in Mbit/s; null when the driver reports <c>Unknown</c>.</summary>
    public int? SpeedMbps { get; init; }

    /// <summary><c>full</c>, <c>half</c> or <c>unknown</c>.</summary>
    public string? Duplex { get; init; }

    /// <summary>How often the bond saw this member's link fail.</summary>
    public int LinkFailureCount { get; init; }

    /// <summary>The member's own MAC (the bond may have rewritten the current one).</summary>
    public string? PermanentAddress { get; init; }

    /// <summary>Transmit queue id.</summary>
    public int? QueueId { get; init; }

    /// <summary>802.3ad: the aggregator this port belongs to.</summary>
    public int? AggregatorId { get; init; }

    /// <summary>802.3ad: <c>none</c>, <c>monitoring</c> or <c>churned</c>.</summary>
    public string? ActorChurnState { get; init; }

    /// <summary>802.3ad: the partner side's churn state.</summary>
    public string? PartnerChurnState { get; init; }

    /// <summary>802.3ad: times this port churned.</summary>
    public int? ActorChurnedCount { get; init; }

    /// <summary>802.3ad: times the partner churned.</summary>
    public int? PartnerChurnedCount { get; init; }

    /// <summary>802.3ad: what this side sends in its LACPDUs.</summary>
    public LacpPortDetails? Actor { get; init; }

    /// <summary>802.3ad: what the partner sent.</summary>
    public LacpPortDetails? Partner { get; init; }
}

/// <summary>The LACPDU fields the driver prints per port (IEEE 802.1AX).</summary>
public sealed record LacpPortDetails
{
    /// <summary>System priority.</summary>
    public int? SystemPriority { get; init; }

    /// <summary>System MAC address.</summary>
    public string? SystemMacAddress { get; init; }

    /// <summary>Port key (actor) or operational key (partner).</summary>
    public int? Key { get; init; }

    /// <summary>Port priority.</summary>
    public int? PortPriority { get; init; }

    /// <summary>Port number.</summary>
    public int? PortNumber { get; init; }

    /// <summary>Port state bits.</summary>
    public LacpPortState? PortState { get; init; }
}

/// <summary>LACP port state bits (IEEE 802.1AX-2014 6.4.2.3, "Actor_State").</summary>
[Flags]
#pragma warning disable CA1028 // the wire format is one octet
public enum LacpPortState : byte
#pragma warning restore CA1028
{
    /// <summary>No bit set.</summary>
    None = 0,

    /// <summary>LACP_Activity: active LACP (else passive).</summary>
    Active = 1,

    /// <summary>LACP_Timeout: short (fast) timeout.</summary>
    ShortTimeout = 2,

    /// <summary>Aggregation: the link can be aggregated.</summary>
    Aggregating = 4,

    /// <summary>Synchronization: the port is in the right aggregator.</summary>
    InSync = 8,

    /// <summary>Collecting frames.</summary>
    Collecting = 16,

    /// <summary>Distributing frames.</summary>
    Distributing = 32,

    /// <summary>Using defaulted partner information (no LACPDU received).</summary>
    Defaulted = 64,

    /// <summary>Receive machine expired.</summary>
    Expired = 128,
}

/// <summary>Words for <see cref="LacpPortState"/> as iproute2 prints them.</summary>
public static class LacpPortStates
{
    /// <summary>A state is fully up when the port is in sync, collecting and distributing.</summary>
    public static bool IsCarrying(LacpPortState state) =>
        (state & (LacpPortState.InSync | LacpPortState.Collecting | LacpPortState.Distributing))
        == (LacpPortState.InSync | LacpPortState.Collecting | LacpPortState.Distributing);

    /// <summary><c>active,short_timeout,aggregating,in_sync,collecting,distributing</c>.</summary>
    public static string Describe(LacpPortState state)
    {
        var words = new List<string>();
        foreach (var (bit, word) in new[]
        {
            (LacpPortState.Active, "active"),
            (LacpPortState.ShortTimeout, "short_timeout"),
            (LacpPortState.Aggregating, "aggregating"),
            (LacpPortState.InSync, "in_sync"),
            (LacpPortState.Collecting, "collecting"),
            (LacpPortState.Distributing, "distributing"),
            (LacpPortState.Defaulted, "defaulted"),
            (LacpPortState.Expired, "expired"),
        })
        {
            if ((state & bit) != 0)
            {
                words.Add(word);
            }
        }

        return words.Count == 0 ? "none" : string.Join(',', words);
    }
}
