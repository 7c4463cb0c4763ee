using Fleet.Contracts.Links;
using Fleet.Web.Formatting;

namespace Fleet.Api.Metrics;

/// <summary>The attributes on Fleet's live metrics and how values that are not numbers become numbers.</summary>
public static class MetricTags
{
    public const string Host = "host";
    public const string Labels = "labels";
    public const string Link = "link";
    public const string Kind = "kind";
    public const string Member = "member";

    /// <summary>tx or rx, on throughput, traffic and drops.</summary>
    public const string Direction = "direction";

    /// <summary>The phase on <c>fleet.link.phase</c> (a state set: one series per link, value 1).</summary>
    public const string Phase = "phase";

    /// <summary>The link kind's wire name (<c>bond</c>, <c>striper</c>…).</summary>
    public static string KindName(LinkKind kind) => WireNames.Of(kind);

    /// <summary>The phase's wire name (<c>applied</c>, <c>rolled_back</c>…).</summary>
    public static string PhaseName(LinkPhase phase) => WireNames.Of(phase);

    /// <summary>A member's health as a number: up 1, degraded 0.5, down 0, unknown −1 (so <c>min()</c> finds trouble).</summary>
    public static double Number(MemberHealth health) => health switch
    {
        MemberHealth.Up => 1,
        MemberHealth.Degraded => 0.5,
        MemberHealth.Down => 0,
        MemberHealth.Unknown => -1,
        _ => throw new ArgumentOutOfRangeException(nameof(health), health, null),
    };

    /// <summary>A link's health as a number, on the same scale as a member's.</summary>
    public static double Number(LinkHealth health) => health switch
    {
        LinkHealth.Healthy => 1,
        LinkHealth.Degraded => 0.5,
        LinkHealth.Down => 0,
        LinkHealth.Unknown => -1,
        _ => throw new ArgumentOutOfRangeException(nameof(health), health, null),
    };
}
