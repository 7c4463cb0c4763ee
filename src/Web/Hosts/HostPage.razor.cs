using Fleet.Contracts.Agents;
using Fleet.Contracts.Links.Kinds;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Hosts;

/// <summary>One host: inventory, interfaces, links, recent events.</summary>
public partial class HostPage
{
    /// <summary>The host.</summary>
    [Parameter]
    public Guid HostId { get; set; }

    [Inject]
    private IHostDetailsQuery Query { get; set; } = default!;

    private HostDetails? Model { get; set; }

    private string EventsHref => $"{DashboardPaths.Events}?host={HostId}";

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        Model = await Query.GetHostAsync(HostId, Aborted);
        if (Model is null)
        {
            SetNotFound();
        }
    }

    private static string LabelHref(string label) => $"/?label={Uri.EscapeDataString(label)}";

    /// <summary>Every registered kind: whether the host can run it, named with the capability it needs when that differs.</summary>
    private static IEnumerable<(string Name, bool Available, string? Note)> Capabilities(AgentCapabilities capabilities) =>
        LinkKinds.All.Select(d => (
            d.Capability == d.WireName ? d.WireName : $"{d.WireName} ({d.Capability})",
            capabilities.Supports(d.Kind),
            capabilities.NoteFor(d.Kind)));
}
