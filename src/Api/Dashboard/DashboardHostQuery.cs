using Fleet.Api.Agents;
using Fleet.Api.Data;
using Fleet.Contracts.Agents;
using Fleet.Web.Events;
using Fleet.Web.Hosts;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>A host's page: its row of the <see cref="FleetSnapshot"/>, inventory and recent events.</summary>
public sealed class DashboardHostQuery(FleetDbContext db, FleetSnapshot snapshot, IEventQuery events, TimeProvider clock) : IHostDetailsQuery
{
    public const int RecentEvents = 20;

    public async Task<HostDetails?> GetHostAsync(Guid hostId, CancellationToken cancellationToken)
    {
        var host = await db.Hosts.AsNoTracking().Where(h => h.Id == hostId && h.DecommissionedAt == null).SingleOrDefaultAsync(cancellationToken);
        if (host is null)
        {
            return null;
        }

        var row = (await snapshot.LoadAsync(hostId, cancellationToken)).Single();
        var lastEvents = await snapshot.ShownEventsAsync(row.Links.Select(l => l.Summary.Id).ToList(), cancellationToken);
        var links = row.Summary.Links.Select(l => lastEvents.TryGetValue(l.Id, out var e) ? l with { LastEvent = e } : l).ToList();
        var recent = await events.GetEventsAsync(EventFilter.Default with { HostId = hostId, Limit = RecentEvents }, cancellationToken);

        AgentHello? inventory = host.AgentVersion is null
            ? null
            : new AgentHello
            {
                Hostname = host.Hostname,
                AgentVersion = host.AgentVersion,
                KernelVersion = host.KernelVersion ?? "",
                Capabilities = host.Capabilities ?? new AgentCapabilities([]),
                Interfaces = host.Interfaces ?? [],
            };

        return new HostDetails(
            host.Id,
            host.Name,
            row.Summary.Labels,
            row.Summary.Online,
            row.Summary.LastSeen,
            HostPresence.IsOnline(host.ConnectedSince, host.LastSeenAt, clock.GetUtcNow()) ? host.ConnectedSince : null,
            new DateTimeOffset(host.EnrolledAt, TimeSpan.Zero),
            inventory,
            row.Summary.Health,
            links,
            recent.Events);
    }
}
