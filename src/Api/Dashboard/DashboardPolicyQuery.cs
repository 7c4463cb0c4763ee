using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Links;
using Fleet.Web.Policies;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>A link's policy and its revisions, newest first.</summary>
public sealed class DashboardPolicyQuery(FleetDbContext db, StriperKeyProtection keys) : IPolicyQuery
{
    /// <summary>Most revisions the editor lists.</summary>
    public const int MaxRevisions = 50;

    public async Task<PolicyDocument?> GetPolicyAsync(Guid linkId, CancellationToken cancellationToken)
    {
        var link = await db.Links.AsNoTracking()
            .Where(l => l.Id == linkId && l.DeletedAt == null)
            .Select(l => new
            {
                l.Id, l.HostId, HostName = l.Host!.Name, HostInterfaces = l.Host.Interfaces, l.Spec, l.DesiredGeneration, l.ObservedGeneration, l.Phase,
                l.PhaseChangedAt, l.LastError,
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (link is null)
        {
            return null;
        }

        var revisions = await db.PolicyRevisions.AsNoTracking()
            .Where(r => r.LinkId == linkId)
            .OrderByDescending(r => r.Generation)
            .Take(MaxRevisions)
            .ToListAsync(cancellationToken);
        return new PolicyDocument(
            link.Id,
            link.HostId,
            link.HostName,
            keys.FromStorage(link.Spec),
            link.DesiredGeneration,
            link.ObservedGeneration,
            link.Phase,
            link.LastError,
            revisions.Select(ToRevision).ToList())
        {
            PhaseChangedAt = new DateTimeOffset(link.PhaseChangedAt, TimeSpan.Zero),
            HostInterfaces = link.HostInterfaces,
        };
    }

    private PolicyRevision ToRevision(PolicyRevisionEntity r) =>
        new(r.Generation, keys.FromStorage(r.Spec), new DateTimeOffset(r.CreatedAt, TimeSpan.Zero), r.Author)
        {
            Reason = r.Reason,
            Outcome = r.Outcome,
            OutcomeMessage = r.OutcomeMessage,
            OutcomeAt = r.OutcomeAt is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : null,
        };
}
