using Fleet.Api.Data;
using Fleet.Api.Links;
using Fleet.Contracts.Links;
using Fleet.Web.Events;
using Fleet.Web.Links;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>A link's page: spec, rollout state, members' latest values, events.</summary>
public sealed class DashboardLinkQuery(FleetDbContext db, StriperKeyProtection keys, ILatestMemberValues latest, IEventQuery events, TimeProvider clock) : ILinkDetailsQuery
{
    public const int RecentEvents = 20;

    public async Task<LinkDetails?> GetLinkAsync(Guid linkId, CancellationToken cancellationToken)
    {
        var link = await db.Links.AsNoTracking()
            .Where(l => l.Id == linkId && l.DeletedAt == null)
            .Select(l => new
            {
                Link = l,
                HostName = l.Host!.Name,
                HostLastSeen = l.Host.LastSeenAt,
                Members = l.Members.OrderBy(m => m.Position).ToList(),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (link is null)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var online = link.HostLastSeen is { } seen && now - new DateTimeOffset(seen, TimeSpan.Zero) <= FleetSnapshot.OnlineWindow;
        var values = await latest.GetAsync([linkId], now - FleetSnapshot.LatestWindow, cancellationToken);
        var members = link.Members.Select(m =>
        {
            values.TryGetValue((linkId, m.Interface), out var v);
            v = online ? v : null;
            var health = online ? v?.Health ?? m.Health : MemberHealth.Unknown;
            return (Row: new FleetSnapshot.MemberRow(m.Interface, m.AdminState, health, v),
                Status: new MemberStatus(m.Interface, m.AdminState, health, v?.TxBitsPerSecond, v?.RxBitsPerSecond, v?.Drops, v?.ReorderDepth, v?.RttMs, v?.LossPercent, v?.Time, m.Tier, online ? m.IdleReason : null));
        }).ToList();

        var summary = FleetSnapshot.Summarize(linkId, link.Link.Name, link.Link.Kind, link.Link.Phase, members.Select(m => m.Row).ToList());
        var recent = await events.GetEventsAsync(EventFilter.Default with { LinkId = linkId, Limit = RecentEvents }, cancellationToken);
        return new LinkDetails(
            linkId,
            link.Link.HostId,
            link.HostName,
            online,
            keys.FromStorage(link.Link.Spec),
            link.Link.DesiredGeneration,
            link.Link.ObservedGeneration,
            link.Link.Phase,
            link.Link.LastError,
            new DateTimeOffset(link.Link.PhaseChangedAt, TimeSpan.Zero),
            summary.Health,
            members.Select(m => m.Status).ToList(),
            recent.Events);
    }
}
