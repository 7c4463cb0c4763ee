namespace Fleet.Contracts.Links;

/// <summary>How well a link (or a host, by its worst link) is doing: the dashboard, REST and the live metrics agree.</summary>
public enum LinkHealth
{
    /// <summary>No recent observation.</summary>
    Unknown,

    /// <summary>Every usable member is up and loss is below the warning threshold.</summary>
    Healthy,

    /// <summary>
    /// Traffic flows, but a member is down or degraded, loss is above the warning threshold, or the rollout did not
    /// end where it was asked to (Failed, RolledBack, Drifted).
    /// </summary>
    Degraded,

    /// <summary>No member is up: the link carries no traffic.</summary>
    Down,
}

/// <summary>
/// The one rule that turns a link's rollout state and member observations into its health (overview, host and link
/// pages, REST, live metrics).
/// </summary>
public static class LinkHealthRule
{
    /// <summary>Loss above this, in percent, makes a link degraded even when all members are up.</summary>
    public const double LossWarningPercent = 1.0;

    /// <summary>
    /// Summarizes <paramref name="members"/> (disabled ones do not count against the link) and the rollout
    /// <paramref name="phase"/>: a link whose last change failed, was rolled back or drifted runs something other than
    /// what was asked for, so it is at best Degraded, however healthy its members; no member up is Down either way.
    /// </summary>
    public static LinkHealth Of(LinkPhase phase, IEnumerable<(MemberAdminState AdminState, MemberHealth Health, double? LossPercent)> members)
    {
        var fromMembers = FromMembers(members);
        return fromMembers == LinkHealth.Healthy && !RolloutAsAsked(phase) ? LinkHealth.Degraded : fromMembers;
    }

    /// <summary>Whether the link runs (or is on its way to run) the generation the operator asked for.</summary>
    public static bool RolloutAsAsked(LinkPhase phase) => phase switch
    {
        LinkPhase.Pending or LinkPhase.Applying or LinkPhase.Applied => true,
        LinkPhase.Failed or LinkPhase.RolledBack or LinkPhase.Drifted => false,
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "unknown phase"),
    };

    private static LinkHealth FromMembers(IEnumerable<(MemberAdminState AdminState, MemberHealth Health, double? LossPercent)> members)
    {
        var counted = 0;
        var up = 0;
        var impaired = false;
        var anyKnown = false;
        foreach (var (adminState, health, loss) in members)
        {
            if (adminState == MemberAdminState.Disabled)
            {
                continue;
            }

            counted++;
            anyKnown |= health != MemberHealth.Unknown;
            switch (health)
            {
                case MemberHealth.Up:
                    up++;
                    impaired |= loss > LossWarningPercent;
                    break;
                case MemberHealth.Degraded:
                    up++;
                    impaired = true;
                    break;
                case MemberHealth.Down:
                    impaired = true;
                    break;
            }
        }

        return FromTally(anyKnown && counted > 0, up, impaired);
    }

    /// <summary>
    /// The members' part of the rule from their tally, for readers that count in the database (the overview's minutes):
    /// none known is Unknown, none carrying (Up or Degraded) is Down, any down, degraded or lossy is Degraded.
    /// </summary>
    public static LinkHealth FromTally(bool anyKnown, int carrying, bool impaired) =>
        !anyKnown ? LinkHealth.Unknown
        : carrying == 0 ? LinkHealth.Down
        : impaired ? LinkHealth.Degraded
        : LinkHealth.Healthy;

    /// <summary>The worse of two healths (Down &gt; Degraded &gt; Unknown &gt; Healthy), for hosts and totals.</summary>
    public static LinkHealth Worst(LinkHealth left, LinkHealth right) => Severity(left) >= Severity(right) ? left : right;

    private static int Severity(LinkHealth health) => health switch
    {
        LinkHealth.Healthy => 0,
        LinkHealth.Unknown => 1,
        LinkHealth.Degraded => 2,
        LinkHealth.Down => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(health), health, "unknown health"),
    };
}
