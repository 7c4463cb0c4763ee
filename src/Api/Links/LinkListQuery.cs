using Microsoft.AspNetCore.Mvc;

namespace Fleet.Api.Links;

/// <summary>The filters of <c>GET /links</c>, bound with <c>[AsParameters]</c>; kind and phase are wire names, checked by the handler.</summary>
public sealed class LinkListQuery
{
    [FromQuery(Name = "hostId")]
    public Guid? HostId { get; set; }

    [FromQuery(Name = "kind")]
    public string? Kind { get; set; }

    [FromQuery(Name = "phase")]
    public string? Phase { get; set; }
}
