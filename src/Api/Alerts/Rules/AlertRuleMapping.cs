using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Alerts.Rules;

/// <summary>Rules as REST shows them: the built-in ones from the configuration, custom ones from their rows.</summary>
public static class AlertRuleMapping
{
    /// <summary>Every built-in rule with its configured settings, in declaration order.</summary>
    public static IEnumerable<AlertRuleDto> BuiltIn(AlertOptions options)
    {
        var thresholds = options.Rules.Thresholds.ToDictionary(t => t.Rule);
        foreach (var rule in Enum.GetValues<AlertRule>())
        {
            if (rule == AlertRule.Custom)
            {
                continue;
            }

            var settings = options.Rules.Of(rule);
            var threshold = thresholds.TryGetValue(rule, out var t) ? t : default;
            yield return new AlertRuleDto
            {
                Name = AlertRuleInfo.WireName(rule),
                BuiltIn = true,
                Rule = rule,
                Enabled = settings.Enabled,
                Severity = AlertRuleInfo.Severity(rule),
                For = settings.For,
                Metric = threshold.Options is null ? null : MemberCounterCatalog.Of(threshold.Counter).Name,
                Comparison = threshold.Options is null ? null : AlertComparison.Above,
                Threshold = threshold.Options?.Threshold,
            };
        }
    }

    public static AlertRuleDto ToDto(AlertRuleEntity rule) => new()
    {
        Id = rule.Id,
        Name = rule.Name,
        BuiltIn = false,
        Rule = AlertRule.Custom,
        Enabled = rule.Enabled,
        Severity = rule.Severity,
        For = TimeSpan.FromMilliseconds(rule.ForMs),
        Metric = rule.Metric,
        Comparison = rule.Comparison,
        Threshold = rule.Threshold,
        Scope = rule.Scope,
        Subject = rule.Subject,
        HostId = rule.HostId,
        LinkId = rule.LinkId,
        Labels = rule.Scope == AlertRuleScope.Labels ? rule.Labels : null,
        UpdatedBy = rule.UpdatedBy,
        UpdatedAt = new DateTimeOffset(DateTime.SpecifyKind(rule.UpdatedAt, DateTimeKind.Utc)),
    };

    /// <summary>The rule's strong ETag: its id and version.</summary>
    public static string ETag(AlertRuleEntity rule) => $"\"alert-rule-{rule.Id:N}-{rule.Version}\"";

    /// <summary>Writes a valid request onto <paramref name="rule"/>.</summary>
    public static void Apply(AlertRuleRequest request, AlertRuleEntity rule)
    {
        rule.Name = request.Name!;
        rule.Enabled = request.Enabled ?? true;
        rule.Metric = request.Metric!;
        rule.Comparison = request.Comparison!.Value;
        rule.Threshold = request.Threshold!.Value;
        rule.ForMs = (long)(request.For ?? TimeSpan.Zero).TotalMilliseconds;
        rule.Scope = request.Scope ?? AlertRuleScope.All;
        rule.Subject = request.Subject ?? AlertRuleSubject.Member;
        rule.HostId = request.HostId;
        rule.LinkId = request.LinkId;
        rule.Labels = request.Labels is { } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : [];
        rule.Severity = request.Severity ?? AlertSeverity.Warning;
    }
}
