using Fleet.Api.Agents;
using Fleet.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Alerts;

/// <summary>
/// Reads what the rules look at from the database: hosts' presence (<see cref="HostPresence.IsOnline"/>, the rule REST's
/// <c>online</c> follows), links' rollout phase and members' health, which <see cref="HostActivity"/> writes within
/// milliseconds of the batch that changed it. Reading the stored state rather than one replica's share of the live
/// stream makes every replica see the whole fleet, and an Api that restarts sees what it saw before.
/// </summary>
public sealed class FleetObservationReader(IDbContextFactory<FleetDbContext> contexts, TimeProvider time)
{
    public async Task<FleetObservation> ReadAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();

        // Hosts whose agent never connected are not offline: they have not started.
        var hosts = await db.Hosts.AsNoTracking()
            .Where(h => h.DecommissionedAt == null && h.LastSeenAt != null)
            .Select(h => new { h.Id, h.Name, h.ConnectedSince, h.LastSeenAt })
            .ToListAsync(cancellationToken);
        var links = await db.Links.AsNoTracking()
            .Where(l => l.DeletedAt == null)
            .Select(l => new
            {
                l.Id,
                l.HostId,
                l.Name,
                l.Phase,
                Members = l.Members.OrderBy(m => m.Position).Select(m => new ObservedMember(m.Interface, m.AdminState, m.Health)).ToList(),
            })
            .ToListAsync(cancellationToken);
        return new FleetObservation(
            hosts.Select(h => new ObservedHost(h.Id, h.Name, HostPresence.IsOnline(h.ConnectedSince, h.LastSeenAt, now))).ToList(),
            links.Select(l => new ObservedLink(l.Id, l.HostId, l.Name, l.Phase, l.Members)).ToList());
    }
}
