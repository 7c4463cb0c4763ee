using Fleet.Contracts.Rest;

namespace Fleet.Api.Alerts;

/// <summary>What an alert is about: one rule for one host, link or member. Two alerts of one subject never fire at once.</summary>
public readonly record struct AlertSubject(AlertRule Rule, Guid HostId, Guid? LinkId, string? Member)
{
    /// <summary>A stable text key (the database's <c>alerts.subject</c>).</summary>
    public string Key => $"{AlertRuleInfo.WireName(Rule)}/{HostId:N}/{LinkId?.ToString("N") ?? "-"}/{Member ?? "-"}";
}

/// <summary>A condition that holds now, with what a notification says about it.</summary>
public sealed record AlertCondition(AlertSubject Subject, string HostName, string? LinkName, string Summary)
{
    public AlertSeverity Severity => AlertRuleInfo.Severity(Subject.Rule);
}

/// <summary>The fixed facts of each built-in rule: its wire name and its severity.</summary>
public static class AlertRuleInfo
{
    public static AlertSeverity Severity(AlertRule rule) => rule switch
    {
        AlertRule.MemberDown => AlertSeverity.Warning,
        AlertRule.MemberFlapping => AlertSeverity.Warning,
        AlertRule.LinkDegraded => AlertSeverity.Warning,
        AlertRule.LinkDown => AlertSeverity.Critical,
        AlertRule.AgentOffline => AlertSeverity.Critical,
        AlertRule.RolloutFailed => AlertSeverity.Warning,
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "unknown rule"),
    };

    /// <summary>The rule's name in JSON, labels and keys (<c>member_down</c>).</summary>
    public static string WireName(AlertRule rule) => rule switch
    {
        AlertRule.MemberDown => "member_down",
        AlertRule.MemberFlapping => "member_flapping",
        AlertRule.LinkDegraded => "link_degraded",
        AlertRule.LinkDown => "link_down",
        AlertRule.AgentOffline => "agent_offline",
        AlertRule.RolloutFailed => "rollout_failed",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "unknown rule"),
    };
}
