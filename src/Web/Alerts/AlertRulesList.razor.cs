using System.Globalization;
using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Rest;
using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Alerts;

/// <summary>
/// The Alerts page's list of rules (docs/alerts.md, "Rules" and "Custom rules"), with the operators' form for a new
/// custom rule and a delete button per custom rule; both post to the page (<see cref="AlertsPage.CommandForm"/>).
/// </summary>
public partial class AlertRulesList
{
    /// <summary>Whether the user may create and delete rules.</summary>
    [Parameter]
    public bool CanOperate { get; set; }

    /// <summary>The page's form name every action posts as.</summary>
    [Parameter]
    public string CommandForm { get; set; } = "";

    /// <summary>A refused new rule's form, shown again with what was typed; null otherwise.</summary>
    [Parameter]
    public RuleForm? Draft { get; set; }

    /// <summary>Every rule, built-in first (the page loads them again after a rule was created or deleted).</summary>
    [Parameter]
    public IReadOnlyList<AlertRuleDto> Rules { get; set; } = [];

    private static IReadOnlyList<MemberCounterInfo> Counters { get; } = MemberCounterCatalog.All;

    private static IReadOnlyList<string> Comparisons { get; } = WireNames.All<AlertComparison>();

    private static IReadOnlyList<string> Subjects { get; } = WireNames.All<AlertRuleSubject>();

    private static IReadOnlyList<string> Scopes { get; } = WireNames.All<AlertRuleScope>();

    private static IReadOnlyList<string> Severities { get; } = WireNames.All<AlertSeverity>();

    /// <summary>"lossPercent above 5", with a custom rule's subject and scope; empty for a rule without a metric.</summary>
    private static string Condition(AlertRuleDto rule)
    {
        if (rule.Metric is null || rule.Comparison is not { } comparison || rule.Threshold is not { } threshold)
        {
            return "";
        }

        var text = $"{rule.Metric} {WireNames.Of(comparison).Replace('_', ' ')} {threshold.ToString("0.##", CultureInfo.InvariantCulture)}";
        return rule.Subject is { } subject && rule.Scope is { } scope
            ? $"{text}, per {WireNames.Of(subject)}, scope {WireNames.Of(scope)}"
            : text;
    }
}
