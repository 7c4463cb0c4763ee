using Fleet.Contracts.Links;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Overview;

/// <summary>The label of a health total on the overview: coloured only when the count is not zero.</summary>
public partial class TotalHealthLabel
{
    /// <summary>The health counted.</summary>
    [Parameter, EditorRequired]
    public LinkHealth Health { get; set; }

    /// <summary>How many links are in it.</summary>
    [Parameter]
    public int Count { get; set; }

    private (string Modifier, string Icon, string Text) Look => Components.HealthBadge.LookOf(Health, null);
}
