using System.Text.Json.Serialization;
using Fleet.Contracts.Links;

namespace Fleet.Contracts.Rest;

/// <summary>
/// A striper link between two hosts Fleet manages, as one resource (issue 20): the two hosts, the paths (which
/// interface on each side), the tunnel and the striper's options. The Api turns it into two ordinary per-host striper
/// links (its ends) that share a key it generates, with the ports and tunnel addresses it picks; every change of the
/// pair changes both ends in one transaction.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LinkPairSpec
{
    /// <summary>Interface name of the tunnel device on both hosts (<c>str0</c>).</summary>
    public required string Name { get; init; }

    /// <summary>End A: its host and tunnel address.</summary>
    public required LinkPairEnd A { get; init; }

    /// <summary>End B: its host and tunnel address.</summary>
    public required LinkPairEnd B { get; init; }

    /// <summary>The paths, in priority order: the member interface on each side (1–16).</summary>
    public required IReadOnlyList<LinkPairPath> Paths { get; init; }

    /// <summary>MTU of both tunnel devices; the striper's default when absent.</summary>
    public int? Mtu { get; init; }

    /// <summary>How long each agent waits for the Api's confirmation before it rolls a change back.</summary>
    public int ConfirmTimeoutSeconds { get; init; } = LinkSpec.DefaultConfirmTimeoutSeconds;

    /// <summary>The striper's options, the same on both ends; absent fields take the striper's defaults.</summary>
    public LinkPairStriperOptions? Striper { get; init; }
}

/// <summary>One end of a pair.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LinkPairEnd
{
    /// <summary>The host this end runs on.</summary>
    public required Guid HostId { get; init; }

    /// <summary>
    /// The end's tunnel address in CIDR form (<c>10.99.0.1/30</c>). Give both ends' or neither: the Api then picks a
    /// free /30 from 10.99.0.0/16 (A gets .1, B .2) and keeps it on every later change that leaves them out.
    /// </summary>
    public string? TunnelAddress { get; init; }
}

/// <summary>Which end of a pair.</summary>
public enum LinkPairSide
{
    /// <summary>End A.</summary>
    A,

    /// <summary>End B.</summary>
    B,
}

/// <summary>One path of a pair: a member interface on each side, and the member settings both ends share.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LinkPairPath
{
    /// <summary>The member on end A.</summary>
    public required LinkPairMember A { get; init; }

    /// <summary>The member on end B.</summary>
    public required LinkPairMember B { get; init; }

    /// <summary>
    /// The end that listens on this path (the other dials it). It must have an address the other end can reach: the
    /// member's <see cref="LinkPairMember.Address"/>, or its interface's first address as its agent reported it.
    /// </summary>
    public LinkPairSide Listener { get; init; } = LinkPairSide.B;

    /// <summary>Active, backup or disabled, on both ends.</summary>
    public MemberAdminState AdminState { get; init; } = MemberAdminState.Active;

    /// <summary>Share of traffic for the weighted schedulers, on both ends.</summary>
    public double? Weight { get; init; }

    /// <summary>Expected rate in bit/s, a hint for schedulers and dashboards.</summary>
    public long? RateBitsPerSecond { get; init; }

    /// <summary>Expected one-way lag in milliseconds, a hint for lag-aware schedulers.</summary>
    public int? LagMilliseconds { get; init; }
}

/// <summary>A path's member interface on one host.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LinkPairMember
{
    /// <summary>The interface name on that host (<c>eth1</c>).</summary>
    public required string Interface { get; init; }

    /// <summary>Its IP address (no prefix); when absent, the interface's first address from its agent's inventory.</summary>
    public string? Address { get; init; }
}

/// <summary>The striper's options of a pair, except the key (which the Api generates); absent fields take the striper's defaults.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LinkPairStriperOptions
{
    /// <summary>The scheduling method.</summary>
    public StripeSchedulerKind? Scheduler { get; init; }

    /// <summary>Scheduler parameters by name.</summary>
    public IReadOnlyDictionary<string, double>? SchedulerParameters { get; init; }

    /// <summary>The AEAD that seals packets.</summary>
    public StriperCipher? Cipher { get; init; }

    /// <summary>Health probe interval per path, in ms.</summary>
    public int? ProbeIntervalMs { get; init; }

    /// <summary>Upper bound of the resequencing hold time, in ms.</summary>
    public int? MaxHoldMs { get; init; }

    /// <summary>Seconds between rekeys.</summary>
    public int? RekeyIntervalSeconds { get; init; }

    /// <summary>Consecutive unanswered probes after which a path is down.</summary>
    public int? DownAfterMissedProbes { get; init; }

    /// <summary>Consecutive answered probes before a down path carries traffic again.</summary>
    public int? UpAfterProbes { get; init; }

    /// <summary>Loss in percent above which a path counts as degraded.</summary>
    public double? DegradedLossPercent { get; init; }
}

/// <summary>Create a pair.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateLinkPairRequest
{
    /// <summary>The pair's first spec.</summary>
    public required LinkPairSpec Spec { get; init; }

    /// <summary>Why, for both ends' policy history (up to 500 characters).</summary>
    public string? Reason { get; init; }
}

/// <summary>A pair: its spec (tunnel addresses filled in) and its two ends, each an ordinary link of its host.</summary>
public sealed record LinkPairDto
{
    /// <summary>Pair id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The spec, with the tunnel addresses the Api picked.</summary>
    public required LinkPairSpec Spec { get; init; }

    /// <summary>Generation of the pair's spec; increases by one with every change.</summary>
    public required long Generation { get; init; }

    /// <summary>The pair's entity tag; send it as <c>If-Match</c> to change or delete the pair.</summary>
    public required string ETag { get; init; }

    /// <summary>End A's link (its key always redacted here).</summary>
    public required LinkDto A { get; init; }

    /// <summary>End B's link (its key always redacted here).</summary>
    public required LinkDto B { get; init; }

    /// <summary>When the pair was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its spec last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
}
