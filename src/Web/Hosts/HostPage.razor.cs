using Fleet.Contracts.Agents;
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

    private static IEnumerable<(string Name, bool Available, string? Note)> Capabilities(AgentCapabilities capabilities)
    {
        yield return ("bonding", capabilities.Bonding, Note(capabilities, "bonding"));
        yield return ("teql", capabilities.Teql, Note(capabilities, "teql"));
        yield return ("mptcp", capabilities.Mptcp, Note(capabilities, "mptcp"));
        yield return ("tun (striper)", capabilities.Tun, Note(capabilities, "tun"));
    }

    private static string? Note(AgentCapabilities capabilities, string name) =>
        capabilities.Notes is { } notes && notes.TryGetValue(name, out var note) ? note : null;
}
