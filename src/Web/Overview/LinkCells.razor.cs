using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Overview;

/// <summary>The cells of one link's row on the overview (the host cell spans its links' rows).</summary>
public partial class LinkCells
{
    /// <summary>The link.</summary>
    [Parameter, EditorRequired]
    public LinkSummary Link { get; set; } = default!;

    [Inject]
    private ViewerTimeZone Zone { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    private string Href => DashboardPaths.Link(Link.Id);

    private (string Modifier, string Icon, string Text) Health => Components.HealthBadge.LookOf(Link.Health, null);

    private string KindKey => WireNames.Of(Link.Kind);

    /// <summary>Loss above the threshold that makes a link Degraded (<see cref="LinkHealthRule.LossWarningPercent"/>).</summary>
    private bool Lossy => Link.WorstLossPercent > LinkHealthRule.LossWarningPercent;

    private static string LossTitle { get; } = $"above {LinkHealthRule.LossWarningPercent.ToString(System.Globalization.CultureInfo.InvariantCulture)} %: the link counts as degraded";

    private static string SeverityKey(EventSeverity severity) => WireNames.Of(severity);

    /// <summary>"80 %": delivered against the measured capacity (docs/doctor.md, "Aggregation ratio"); "–" without one.</summary>
    private string AggregationText => Link.Aggregation is { } a ? Units.Percent(a.Ratio * 100) : Units.Unknown;

    private string AggregationTitle => Link.Aggregation is { } a
        ? $"{Units.BitsPerSecond(a.DeliveredBitsPerSecond)} sent of {Units.BitsPerSecond(a.CapacityBitsPerSecond)} the paths carry (latest speed test)"
        : "needs a speed test of the link's carrying members, and traffic";
}
