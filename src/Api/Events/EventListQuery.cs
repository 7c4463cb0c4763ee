using Microsoft.AspNetCore.Mvc;

namespace Fleet.Api.Events;

/// <summary>The filters of <c>GET /events</c>, bound with <c>[AsParameters]</c>; kind and severity are wire names, checked by the handler.</summary>
public sealed class EventListQuery
{
    [FromQuery(Name = "hostId")]
    public Guid? HostId { get; set; }

    [FromQuery(Name = "linkId")]
    public Guid? LinkId { get; set; }

    [FromQuery(Name = "kind")]
    public string? Kind { get; set; }

    [FromQuery(Name = "severity")]
    public string? Severity { get; set; }

    [FromQuery(Name = "from")]
    public DateTimeOffset? From { get; set; }

    [FromQuery(Name = "to")]
    public DateTimeOffset? To { get; set; }
}
