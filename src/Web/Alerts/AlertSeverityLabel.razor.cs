using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Alerts;

/// <summary>An alert's severity by word, shape and colour (<see cref="AlertLooks"/>).</summary>
public partial class AlertSeverityLabel
{
    /// <summary>The severity.</summary>
    [Parameter]
    public AlertSeverity Severity { get; set; }

    private (string Modifier, string Icon, string Text) Look => AlertLooks.Of(Severity);
}
