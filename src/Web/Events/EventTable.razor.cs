using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Events;

/// <summary>A list of events (event log, host and link pages).</summary>
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

    private static string Severity(EventRow row) => WireNames.Of(row.Severity);
}
