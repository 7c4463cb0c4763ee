using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Components;

/// <summary>
/// One plot of a chart card, rendered on the server as SVG: the member charts (<see cref="LiveChart"/>, whose script
/// then draws known metrics on a canvas) and the traffic class charts share it.
/// </summary>
public partial class PlotFigure
{
    /// <summary>The plot.</summary>
    [Parameter, EditorRequired]
    public ChartPlot Plot { get; set; } = default!;
}
