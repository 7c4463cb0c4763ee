using Fleet.Contracts.Links;

namespace Fleet.Web.Health;

/// <summary>How well a link (or a host, by its worst link) is doing, as the dashboard summarizes it.</summary>
public enum LinkHealth
{
    /// <summary>No recent observation.</summary>
    Unknown,

    /// <summary>Every usable member is up and loss is below the warning threshold.</summary>
    Healthy,

    /// <summary>Traffic flows, but a member is down or degraded, or loss is above the warning threshold.</summary>
    Degraded,

    /// <summary>No member is up: the link carries no traffic.</summary>
    Down,
}

/// <summary>The one rule that turns member observations into a link's health (overview, host and link pages).</summary>
public static class LinkHealthRule
{
    /// <summary>Loss above this, in percent, makes a link degraded even when all members are up.</summary>
    public const double LossWarningPercent = 1.0;

    /// <summary>Summarizes members; disabled members do not count against the link.</summary>
    public static LinkHealth FromMembers(IEnumerable<(MemberAdminState AdminState, MemberHealth Health, double? LossPercent)> members)
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

        if (counted == 0 || !anyKnown)
        {
            return LinkHealth.Unknown;
        }

        if (up == 0)
        {
            return LinkHealth.Down;
        }

        return impaired ? LinkHealth.Degraded : LinkHealth.Healthy;
    }

    /// <summary>The worse of two healths (Down &gt; Degraded &gt; Unknown &gt; Healthy), for hosts and totals.</summary>
    public static LinkHealth Worst(LinkHealth left, LinkHealth right) => Severity(left) >= Severity(right) ? left : right;

    private static int Severity(LinkHealth health) => health switch
    {
        LinkHealth.Healthy => 0,
        LinkHealth.Unknown => 1,
        LinkHealth.Degraded => 2,
        LinkHealth.Down => 3,
        _ => 1,
    };
}
