using Fleet.Contracts.Agents;
using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Overview;

/// <summary>The cells of one link's row on the overview (the host cell spans its links' rows).</summary>
public partial class LinkCells
{
    /// <summary>The link.</summary>
    [Parameter, EditorRequired]
    public LinkSummary Link { get; set; } = default!;

    private string Href => DashboardPaths.Link(Link.Id);

    private string KindKey => WireNames.Of(Link.Kind);

    private static string SeverityKey(EventSeverity severity) => WireNames.Of(severity);
}
