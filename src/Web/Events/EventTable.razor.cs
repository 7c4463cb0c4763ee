using Fleet.Contracts.Agents;
using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Events;

/// <summary>A list of events (event log, host and link pages); a member's flaps fold into one line (<see cref="FlapCollapse"/>).</summary>
public partial class EventTable
{
    /// <summary>The events, newest first.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<EventRow> Events { get; set; } = [];

    /// <summary>Whether to show the host column.</summary>
    [Parameter]
    public bool ShowHost { get; set; } = true;

    /// <summary>Whether to show the link column.</summary>
    [Parameter]
    public bool ShowLink { get; set; } = true;

    private IReadOnlyList<EventLine> Lines => FlapCollapse.Lines(Events);

    private static string Severity(EventSeverity severity) => WireNames.Of(severity);
}
