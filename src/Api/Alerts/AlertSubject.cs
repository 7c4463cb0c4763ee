using Fleet.Contracts.Rest;

namespace Fleet.Api.Alerts;

/// <summary>
/// What an alert is about: one rule for one host, link or member (a custom rule by its id). Two alerts of one subject
/// never fire at once.
/// </summary>
public readonly record struct AlertSubject(AlertRule Rule, Guid HostId, Guid? LinkId, string? Member, Guid? CustomRuleId = null)
{
    /// <summary>A stable text key (the database's <c>alerts.subject</c>); a custom rule's id stands for the rule's name (it fits the column).</summary>
    public string Key => $"{(CustomRuleId is { } custom ? "c" + custom.ToString("N") : AlertRuleInfo.WireName(Rule))}/{HostId:N}/{LinkId?.ToString("N") ?? "-"}/{Member ?? "-"}";
}

/// <summary>A condition that holds now, with what a notification says about it.</summary>
public sealed record AlertCondition(AlertSubject Subject, string HostName, string? LinkName, string Summary)
{
    /// <summary>The built-in rule's severity, or the custom rule's.</summary>
    public AlertSeverity Severity { get; init; } = AlertRuleInfo.Severity(Subject.Rule);

    /// <summary>A custom rule's own "for"; null: the built-in rule's configured one.</summary>
    public TimeSpan? For { get; init; }

    /// <summary>A custom rule's name.</summary>
    public string? CustomRuleName { get; init; }
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
        AlertRule.LossHigh or AlertRule.LatencyHigh or AlertRule.JitterHigh or AlertRule.ReorderHigh => AlertSeverity.Warning,
        AlertRule.DriftDetected or AlertRule.AgentQueueOverflow or AlertRule.AggregationLost => AlertSeverity.Warning,
        AlertRule.DataCapWarning => AlertSeverity.Warning,
        AlertRule.DataCapCritical or AlertRule.DataCapExhausted => AlertSeverity.Critical,

        // Each custom rule has its own (AlertCondition.Severity); this is only the default of a request without one.
        AlertRule.Custom => AlertSeverity.Warning,
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
        AlertRule.LossHigh => "loss_high",
        AlertRule.LatencyHigh => "latency_high",
        AlertRule.JitterHigh => "jitter_high",
        AlertRule.ReorderHigh => "reorder_high",
        AlertRule.AggregationLost => "aggregation_lost",
        AlertRule.DriftDetected => "drift_detected",
        AlertRule.AgentQueueOverflow => "agent_queue_overflow",
        AlertRule.DataCapWarning => "data_cap_warning",
        AlertRule.DataCapCritical => "data_cap_critical",
        AlertRule.DataCapExhausted => "data_cap_exhausted",
        AlertRule.Custom => "custom",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "unknown rule"),
    };

    /// <summary>The alert's name for people and Alertmanager's <c>alertname</c>: the custom rule's own name, else the wire name.</summary>
    public static string AlertName(AlertRule rule, string? customRuleName) =>
        rule == AlertRule.Custom && customRuleName is not null ? customRuleName : WireName(rule);
}
