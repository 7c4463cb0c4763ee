using System.Text.Json.Serialization;

namespace Fleet.Contracts.Links;

// The traffic policy of a striper link (docs/striper-protocol.md, "Tiers" and "Traffic classes"): a tier per member
// (MemberSpec.Tier) and an ordered list of traffic classes (StriperOptions.Classes). Validated by LinkSpecValidator.

/// <summary>Which members may carry data, and when (all schedulers and classes honour it).</summary>
public enum LinkTier
{
    /// <summary>Carries data whenever it is up.</summary>
    Primary,

    /// <summary>Carries only what the primaries cannot take: used while they are saturated (measured or hinted rate).</summary>
    Overflow,

    /// <summary>Carries data only when no primary or overflow member is up.</summary>
    Backup,

    /// <summary>Kept connected and probed, never carries data (a metered link kept warm, a link under observation).</summary>
    Never,
}

/// <summary>What a traffic class does with its packets.</summary>
public enum TrafficAction
{
    /// <summary>Striped by its own scheduler, optionally over its own member set.</summary>
    Stripe,

    /// <summary>All on one member: a named one, else the lowest-RTT one; moves only when that member fails.</summary>
    Pin,

    /// <summary>Every packet on the best N members; the receiver delivers the first copy and drops the rest.</summary>
    Duplicate,

    /// <summary>Forward error correction: parity packets over small blocks, adapted to the paths' measured loss.</summary>
    Fec,
}

/// <summary>One traffic class: which packets (<see cref="Match"/>) and what to do with them (<see cref="Action"/>).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TrafficClassSpec
{
    /// <summary>Name shown in counters and the dashboard; unique in the link; lower-case letters, digits, '-' and '_'.</summary>
    public required string Name { get; init; }

    /// <summary>Which packets belong to the class; an empty match takes every packet.</summary>
    public TrafficMatch Match { get; init; } = new();

    /// <summary>What the class does; the options object of that action (and no other) may be given.</summary>
    public required TrafficAction Action { get; init; }

    /// <summary>
    /// The members (by interface name) the class may use; empty means every member. Tiers still apply: a class never
    /// sends on a member its tier keeps idle. When none of them can carry data, the class uses the link's usable
    /// members rather than drop its packets.
    /// </summary>
    public IReadOnlyList<string> Members { get; init; } = [];

    /// <summary>Options of <see cref="TrafficAction.Stripe"/> (required for it).</summary>
    public StripeClassOptions? Stripe { get; init; }

    /// <summary>Options of <see cref="TrafficAction.Pin"/> (optional for it).</summary>
    public PinClassOptions? Pin { get; init; }

    /// <summary>Options of <see cref="TrafficAction.Duplicate"/> (optional for it).</summary>
    public DuplicateClassOptions? Duplicate { get; init; }

    /// <summary>Options of <see cref="TrafficAction.Fec"/> (optional for it).</summary>
    public FecClassOptions? Fec { get; init; }
}

/// <summary>
/// Which packets a class takes. Every given field must match (and); within a list any entry may match (or). Ports
/// need <see cref="Protocol"/> tcp or udp; a non-first IPv4 fragment carries no ports and so matches no port list.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TrafficMatch
{
    /// <summary>IP protocol: <c>tcp</c>, <c>udp</c>, <c>icmp</c>, <c>icmpv6</c>, or a number 0–255; null for any.</summary>
    public string? Protocol { get; init; }

    /// <summary>Source networks in CIDR form (<c>10.1.0.0/16</c>, <c>2001:db8::/32</c>), without host bits.</summary>
    public IReadOnlyList<string> SourcePrefixes { get; init; } = [];

    /// <summary>Destination networks in CIDR form.</summary>
    public IReadOnlyList<string> DestinationPrefixes { get; init; } = [];

    /// <summary>Source ports: <c>5060</c> or a range <c>10000-20000</c> (inclusive).</summary>
    public IReadOnlyList<string> SourcePorts { get; init; } = [];

    /// <summary>Destination ports, as <see cref="SourcePorts"/>.</summary>
    public IReadOnlyList<string> DestinationPorts { get; init; } = [];

    /// <summary>DSCP values 0–63 (RFC 2474: the IPv4 TOS / IPv6 traffic class byte's upper six bits), e.g. 46 for EF.</summary>
    public IReadOnlyList<int> Dscp { get; init; } = [];
}

/// <summary>Options of a striping class.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record StripeClassOptions
{
    /// <summary>The class's own scheduler (any of the link schedulers).</summary>
    public required StripeSchedulerKind Scheduler { get; init; }

    /// <summary>Its parameters, with the same names and ranges as <c>striper.schedulerParameters</c>.</summary>
    public IReadOnlyDictionary<string, double> SchedulerParameters { get; init; } = new Dictionary<string, double>();
}

/// <summary>Options of a pinned class.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PinClassOptions
{
    /// <summary>The member (interface name) to pin to while it can carry data; null: the lowest-RTT member.</summary>
    public string? Member { get; init; }
}

/// <summary>Options of a duplicating class.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DuplicateClassOptions
{
    /// <summary>Default number of copies.</summary>
    public const int DefaultCopies = 2;

    /// <summary>Copies of every packet, each on another member (the best by loss, then RTT); 0 = on every member.</summary>
    public int Copies { get; init; } = DefaultCopies;
}

/// <summary>Options of a class protected by forward error correction.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FecClassOptions
{
    /// <summary>Default residual loss target, percent.</summary>
    public const double DefaultTargetLossPercent = 0.1;

    /// <summary>Default bound of the delay a recovered packet waits for its parity, ms.</summary>
    public const int DefaultMaxDelayMs = 40;

    /// <summary>Default cap on parity, percent of the data packets.</summary>
    public const double DefaultMaxOverheadPercent = 50;

    /// <summary>Loss, percent, the class should see after recovery; parity is added until the paths' measured loss predicts no more.</summary>
    public double TargetLossPercent { get; init; } = DefaultTargetLossPercent;

    /// <summary>
    /// Longest a block stays open, ms: a lost packet is recovered at most about this long after it was sent. Blocks
    /// hold as many packets as the class sends in this time (1–32).
    /// </summary>
    public int MaxDelayMs { get; init; } = DefaultMaxDelayMs;

    /// <summary>Most parity packets per block, percent of its data packets (the target yields to this cap).</summary>
    public double MaxOverheadPercent { get; init; } = DefaultMaxOverheadPercent;
}

/// <summary>The tier a member has: its own when given, else the one its admin state implies.</summary>
public static class LinkTiers
{
    /// <summary><see cref="MemberSpec.Tier"/> when given; else <see cref="LinkTier.Backup"/> for a backup member, <see cref="LinkTier.Primary"/> otherwise.</summary>
    public static LinkTier Of(MemberSpec member) => member.Tier ?? Implied(member.AdminState);

    /// <summary>The tier an admin state implies when no tier is given: backup for a backup member, else primary.</summary>
    public static LinkTier Implied(MemberAdminState adminState) =>
        adminState == MemberAdminState.Backup ? LinkTier.Backup : LinkTier.Primary;
}
