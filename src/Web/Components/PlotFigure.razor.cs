using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Components;

/// <summary>
/// One plot of a chart panel, rendered on the server as SVG: the link's metric panels (<c>Links/LinkChartBoard</c>,
/// whose script then draws them on a canvas) and the traffic class charts share it.
/// </summary>
public partial class PlotFigure
{
    /// <summary>The plot.</summary>
    [Parameter, EditorRequired]
    public ChartPlot Plot { get; set; } = default!;
}
