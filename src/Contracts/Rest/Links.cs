using System.Text.Json.Serialization;
using Fleet.Contracts.Links;

namespace Fleet.Contracts.Rest;

/// <summary>A bonded link on a host: its desired spec and where the rollout of that spec stands.</summary>
public sealed record LinkDto
{
    /// <summary>Link id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The host the link lives on.</summary>
    public required Guid HostId { get; init; }

    /// <summary>Interface name of the bonded device (the spec's <c>name</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The link's kind.</summary>
    public required LinkKind Kind { get; init; }

    /// <summary>The desired spec (<c>striper.key</c> redacted for viewers).</summary>
    public required LinkSpec Spec { get; init; }

    /// <summary>Generation of the desired spec; increases by one with every change.</summary>
    public required long DesiredGeneration { get; init; }

    /// <summary>Generation the agent reports in force (0 before the first apply).</summary>
    public required long ObservedGeneration { get; init; }

    /// <summary>Rollout phase of the desired generation.</summary>
    public required LinkPhase Phase { get; init; }

    /// <summary>Why the last generation failed, rolled back or drifted.</summary>
    public string? LastError { get; init; }

    /// <summary>
    /// The link's health by the one rule the dashboard and the live metrics use (<see cref="LinkHealthRule"/>): the
    /// members' last observed health combined with the rollout (Failed, RolledBack or Drifted is at best Degraded).
    /// Loss does not count here: it needs the latest samples (<c>/samples</c>), which the dashboard reads.
    /// </summary>
    public required LinkHealth Health { get; init; }

    /// <summary>When the phase last changed.</summary>
    public required DateTimeOffset PhaseChangedAt { get; init; }

    /// <summary>When the link was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the spec last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The spec's entity tag; send it as <c>If-Match</c> to change the spec.</summary>
    public required string ETag { get; init; }

    /// <summary>The members, in spec order, with their observed health.</summary>
    public required IReadOnlyList<MemberDto> Members { get; init; }
}

/// <summary>A member (uplink) of a link.</summary>
public sealed record MemberDto
{
    /// <summary>Member interface name.</summary>
    public required string Interface { get; init; }

    /// <summary>Position in the spec's member list (0-based).</summary>
    public required int Position { get; init; }

    /// <summary>What the operator wants the member to do.</summary>
    public required MemberAdminState AdminState { get; init; }

    /// <summary>Rate hint from the spec, bit/s.</summary>
    public long? RateBitsPerSecond { get; init; }

    /// <summary>Lag hint from the spec, ms.</summary>
    public int? LagMilliseconds { get; init; }

    /// <summary>Striper weight from the spec.</summary>
    public double? Weight { get; init; }

    /// <summary>Health as the agent last observed it.</summary>
    public required MemberHealth Health { get; init; }

    /// <summary>When the health last changed.</summary>
    public DateTimeOffset? HealthChangedAt { get; init; }

    /// <summary>A striper member: the tier in force, as the agent last reported it (absent for other kinds and before a report).</summary>
    public LinkTier? Tier { get; init; }

    /// <summary>
    /// A striper member: why it carried no traffic at the agent's last report (tier, admin state, health), e.g.
    /// "overflow: the primaries are not saturated"; absent when it may carry traffic, for other kinds and before a report.
    /// </summary>
    public string? IdleReason { get; init; }
}

/// <summary>Create a link on a host.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateLinkRequest
{
    /// <summary>The host.</summary>
    public required Guid HostId { get; init; }

    /// <summary>The link's first spec (generation 1).</summary>
    public required LinkSpec Spec { get; init; }

    /// <summary>Why, for the policy history (up to 500 characters).</summary>
    public string? Reason { get; init; }
}

/// <summary>What became of a policy revision on the host.</summary>
public enum PolicyOutcome
{
    /// <summary>Not reported yet.</summary>
    Pending,

    /// <summary>Applied and confirmed.</summary>
    Applied,

    /// <summary>Refused or not appliable; the previous state stayed.</summary>
    Failed,

    /// <summary>Applied, not confirmed in time, rolled back.</summary>
    RolledBack,

    /// <summary>Replaced by a newer revision before it was applied.</summary>
    Superseded,
}

/// <summary>One spec a link ever had.</summary>
public sealed record PolicyRevisionDto
{
    /// <summary>The link.</summary>
    public required Guid LinkId { get; init; }

    /// <summary>The generation this spec was (1 for the first).</summary>
    public required long Generation { get; init; }

    /// <summary>The spec (<c>striper.key</c> redacted for viewers).</summary>
    public required LinkSpec Spec { get; init; }

    /// <summary>Who set it.</summary>
    public required string Author { get; init; }

    /// <summary>Why, as the author said.</summary>
    public string? Reason { get; init; }

    /// <summary>When it was set.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The generation this one restored, when it was made by a revert.</summary>
    public long? RevertedFromGeneration { get; init; }

    /// <summary>What became of it on the host.</summary>
    public required PolicyOutcome Outcome { get; init; }

    /// <summary>The agent's reason for a failure or rollback.</summary>
    public string? OutcomeMessage { get; init; }

    /// <summary>When the outcome was reported.</summary>
    public DateTimeOffset? OutcomeAt { get; init; }
}
