using System.Globalization;
using Fleet.Contracts.Rest;
using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Alerts;

/// <summary>The Alerts page's list of rules (docs/alerts.md, "Rules" and "Custom rules").</summary>
public partial class AlertRulesList
{
    [Inject]
    private IAlertQuery Query { get; set; } = default!;

    private IReadOnlyList<AlertRuleDto> Rules { get; set; } = [];

    /// <inheritdoc />
    protected override async Task OnInitializedAsync() => Rules = await Query.GetRulesAsync(CancellationToken.None);

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
