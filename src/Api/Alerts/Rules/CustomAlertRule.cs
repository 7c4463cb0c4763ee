using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Alerts.Rules;

/// <summary>A stored custom rule as the engine evaluates it (docs/alerts.md, "Custom rules").</summary>
public sealed record CustomAlertRule(
    Guid Id,
    string Name,
    MetricCondition Condition,
    TimeSpan For,
    AlertRuleScope Scope,
    AlertRuleSubject Subject,
    Guid? HostId,
    Guid? LinkId,
    IReadOnlyDictionary<string, string> Labels,
    AlertSeverity Severity)
{
    /// <summary>The counter named <paramref name="metric"/> (its wire name, <c>lossPercent</c>), or null.</summary>
    public static MemberCounter? CounterNamed(string? metric)
    {
        foreach (var info in MemberCounterCatalog.All)
        {
            if (string.Equals(info.Name, metric, StringComparison.Ordinal))
            {
                return info.Counter;
            }
        }

        return null;
    }

    /// <summary>The rule of a stored row; null when its metric is no longer a counter (a row from a newer version).</summary>
    public static CustomAlertRule? From(AlertRuleEntity row) => CounterNamed(row.Metric) is { } counter
        ? new CustomAlertRule(row.Id, row.Name, new MetricCondition(counter, row.Comparison, row.Threshold), TimeSpan.FromMilliseconds(row.ForMs),
            row.Scope, row.Subject, row.HostId, row.LinkId, row.Labels, row.Severity)
        : null;

    /// <summary>Whether the rule looks at <paramref name="link"/> of <paramref name="host"/>.</summary>
    public bool Watches(ObservedHost host, ObservedLink link) => Scope switch
    {
        AlertRuleScope.All => true,
        AlertRuleScope.Host => host.Id == HostId,
        AlertRuleScope.Link => link.Id == LinkId,
        AlertRuleScope.Labels => host.Labels is { } labels && Labels.All(l => labels.TryGetValue(l.Key, out var value) && value == l.Value),
        _ => throw new ArgumentOutOfRangeException(nameof(host), Scope, "unknown scope"),
    };
}
