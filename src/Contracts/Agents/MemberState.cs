using Fleet.Contracts.Links;

namespace Fleet.Contracts.Agents;

/// <summary>
/// Why a member of a striper link carries traffic or not (issue 13): its tier in force and the reason it is idle. The
/// agent sends one when a member is first observed and whenever either changes, not with every sample.
/// </summary>
public sealed record MemberState
{
    /// <summary>The link.</summary>
    public required Guid LinkId { get; init; }

    /// <summary>The member's interface name.</summary>
    public required string Member { get; init; }

    /// <summary>When the agent observed it.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The member's tier in force.</summary>
    public LinkTier Tier { get; init; }

    /// <summary>Why the member carries no data now (tier, admin state, health), or null when it may carry data.</summary>
    public string? IdleReason { get; init; }
}
