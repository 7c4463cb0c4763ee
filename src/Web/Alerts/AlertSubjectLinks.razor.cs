using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Alerts;

/// <summary>An alert's host, link and member, each a link to its page.</summary>
public partial class AlertSubjectLinks
{
    /// <summary>The alert.</summary>
    [Parameter]
    [EditorRequired]
    public AlertRow Alert { get; set; } = default!;
}
