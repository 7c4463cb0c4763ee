using Fleet.Contracts.Agents;
using Fleet.Web.Events;
using Fleet.Contracts.Links;
using Fleet.Web.Overview;

namespace Fleet.Web.Hosts;

/// <summary>Reads one host for the host page.</summary>
public interface IHostDetailsQuery
{
    /// <summary>The host, or null when there is none with this id.</summary>
    Task<HostDetails?> GetHostAsync(Guid hostId, CancellationToken cancellationToken);
}

/// <summary>Inventory, links and recent events of one host.</summary>
/// <param name="ConnectedSince">When the agent's current hub connection began; null while it has none.</param>
/// <param name="Inventory">What the agent said in its latest hello; null before the agent first connected.</param>
/// <param name="RecentEvents">Newest first.</param>
public sealed record HostDetails(
    Guid Id,
    string Name,
    IReadOnlyList<string> Labels,
    bool Online,
    DateTimeOffset? LastSeen,
    DateTimeOffset? ConnectedSince,
    DateTimeOffset EnrolledAt,
    AgentHello? Inventory,
    LinkHealth Health,
    IReadOnlyList<LinkSummary> Links,
    IReadOnlyList<EventRow> RecentEvents);
