using Fleet.Contracts.Links;
using Fleet.Web.Events;

namespace Fleet.Web.Links;

/// <summary>Reads one link for the link page: spec, rollout state, members' latest values and events.</summary>
public interface ILinkDetailsQuery
{
    /// <summary>The link, or null when there is none with this id.</summary>
    Task<LinkDetails?> GetLinkAsync(Guid linkId, CancellationToken cancellationToken);
}

/// <summary>One link: the spec running on the host, where its rollout stands, its members now, and its latest events.</summary>
/// <param name="Spec">
/// What the host runs: the desired spec, or after a change that failed or was rolled back, the generation the agent
/// kept in force (the failed one is in <see cref="FailedChange"/>), so the page never shows members that do not run.
/// </param>
/// <param name="DesiredGeneration">The generation the Api wants in force.</param>
/// <param name="ObservedGeneration">The generation the agent reports in force (0: none yet).</param>
/// <param name="LastError">Why the latest generation failed, rolled back or drifted.</param>
/// <param name="Events">Newest first.</param>
public sealed record LinkDetails(
    Guid Id,
    Guid HostId,
    string HostName,
    bool HostOnline,
    LinkSpec Spec,
    long DesiredGeneration,
    long ObservedGeneration,
    LinkPhase Phase,
    string? LastError,
    DateTimeOffset? PhaseChangedAt,
    LinkHealth Health,
    IReadOnlyList<MemberStatus> Members,
    IReadOnlyList<EventRow> Events)
{
    /// <summary>The desired change the host did not put in force (phase Failed or RolledBack), or null.</summary>
    public FailedChange? FailedChange { get; init; }

    /// <summary>The link's interface name.</summary>
    public string Name => Spec.Name;

    /// <summary>The link's kind.</summary>
    public LinkKind Kind => Spec.Kind;
}

/// <summary>A member's admin state and its latest observed values (all null before the first sample).</summary>
/// <param name="Tier">A striper member: its tier in force, as the agent last reported it.</param>
/// <param name="IdleReason">A striper member: why it carried no traffic at the agent's last report (null: it may carry traffic).</param>
public sealed record MemberStatus(
    string Interface,
    MemberAdminState AdminState,
    MemberHealth Health,
    double? TxBitsPerSecond,
    double? RxBitsPerSecond,
    long? Drops,
    int? ReorderDepth,
    double? RttMs,
    double? LossPercent,
    DateTimeOffset? SampleTime,
    LinkTier? Tier = null,
    string? IdleReason = null);

/// <summary>A desired change the agent did not put in force: it failed to apply, or was rolled back.</summary>
/// <param name="Generation">The desired generation.</param>
/// <param name="Phase"><see cref="LinkPhase.Failed"/> or <see cref="LinkPhase.RolledBack"/>.</param>
/// <param name="Reason">The agent's reason.</param>
/// <param name="Spec">The desired spec.</param>
/// <param name="RunningGeneration">The generation the host runs instead.</param>
public sealed record FailedChange(long Generation, LinkPhase Phase, string? Reason, LinkSpec Spec, long RunningGeneration);
