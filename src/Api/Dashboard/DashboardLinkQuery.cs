using Fleet.Api.Data;
using Fleet.Api.Links;
using Fleet.Contracts.Links;
using Fleet.Web.Events;
using Fleet.Web.Links;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>
/// A link's page: the spec running on the host, rollout state, members' latest values, events. After a change that
/// failed or was rolled back the host runs the generation it kept, not the desired one (issue 19): the page shows that
/// generation's spec and members, and the desired change as a <see cref="FailedChange"/>.
/// </summary>
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
                Members = l.Members.ToList(),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (link is null)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var online = link.HostLastSeen is { } seen && now - new DateTimeOffset(seen, TimeSpan.Zero) <= FleetSnapshot.OnlineWindow;
        var values = await latest.GetAsync([linkId], now - FleetSnapshot.LatestWindow, cancellationToken);
        var desired = keys.FromStorage(link.Link.Spec);
        var spec = desired;
        FailedChange? failed = null;
        if (link.Link.Phase is LinkPhase.Failed or LinkPhase.RolledBack && link.Link.ObservedGeneration is > 0 and var running && running != link.Link.DesiredGeneration)
        {
            var kept = await db.PolicyRevisions.AsNoTracking()
                .Where(r => r.LinkId == linkId && r.Generation == running)
                .Select(r => r.Spec)
                .SingleOrDefaultAsync(cancellationToken);
            if (kept is not null)
            {
                spec = keys.FromStorage(kept);
                failed = new FailedChange(link.Link.DesiredGeneration, link.Link.Phase, link.Link.LastError, desired, running);
            }
        }

        // Stored member rows follow the desired spec; a member only the running spec has is known by its samples alone.
        var stored = link.Members.ToDictionary(m => m.Interface, StringComparer.Ordinal);
        var members = spec.Members.Select(m =>
        {
            values.TryGetValue((linkId, m.Interface), out var v);
            v = online ? v : null;
            var row = stored.GetValueOrDefault(m.Interface);
            var health = online ? v?.Health ?? row?.Health ?? MemberHealth.Unknown : MemberHealth.Unknown;
            return (Row: new FleetSnapshot.MemberRow(m.Interface, m.AdminState, health, v),
                Status: new MemberStatus(m.Interface, m.AdminState, health, v?.TxBitsPerSecond, v?.RxBitsPerSecond, v?.Drops, v?.ReorderDepth, v?.RttMs, v?.LossPercent, v?.Time, row?.Tier, online ? row?.IdleReason : null));
        }).ToList();

        var summary = FleetSnapshot.Summarize(linkId, link.Link.Name, link.Link.Kind, link.Link.Phase, members.Select(m => m.Row).ToList());
        var recent = await events.GetEventsAsync(EventFilter.Default with { LinkId = linkId, Limit = RecentEvents }, cancellationToken);
        return new LinkDetails(
            linkId,
            link.Link.HostId,
            link.HostName,
            online,
            spec,
            link.Link.DesiredGeneration,
            link.Link.ObservedGeneration,
            link.Link.Phase,
            link.Link.LastError,
            new DateTimeOffset(link.Link.PhaseChangedAt, TimeSpan.Zero),
            summary.Health,
            members.Select(m => m.Status).ToList(),
            recent.Events)
        {
            FailedChange = failed,
        };
    }
}
