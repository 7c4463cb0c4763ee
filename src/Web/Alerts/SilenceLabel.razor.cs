using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Alerts;

/// <summary>Whether a silence kept an alert from being delivered, or covers it only since after it was delivered.</summary>
public partial class SilenceLabel
{
    /// <summary>The alert.</summary>
    [Parameter]
    [EditorRequired]
    public AlertRow Alert { get; set; } = default!;
}
